import { Injectable } from '@nestjs/common';
import { createHash } from 'node:crypto';
import { DataSource, type EntityManager } from 'typeorm';
import { Clock } from '@fluxnote/clock';
import { ProblemError } from '@fluxnote/contracts';
import { afterFailure, describeWait, lockoutSecondsLeft, type ThrottlePolicy } from './login.rules';
import { throttles } from './throttles.repository';

/** Counter names; account counters are keyed by user id (or a hash of an unknown email), never by the email itself. */
export const throttleKeys = {
  passwordByAddress: (ip: string) => `password:address:${ip}`,
  passwordByAccount: (userId: string) => `password:account:${userId}`,
  passwordByUnknownEmail: (email: string) =>
    `password:account:email-${createHash('sha256').update(email.toLowerCase()).digest('hex').slice(0, 32)}`,
  passwordByTrustedDevice: (userId: string, deviceKey: string) =>
    `password:device:${userId}:${deviceKey}`,
  codeByAddress: (ip: string) => `code:address:${ip}`,
  codeByAccount: (userId: string) => `code:account:${userId}`,
};

export interface FailureOutcome {
  /** Set when this failure started a lockout. */
  lockedUntil: Date | null;
  failures: number;
}

/**
 * Failure counters with escalating temporary lockouts (the rules are in
 * `login.rules.ts`), kept in Postgres (so every replica sees them) and timed by
 * the platform clock (so tests and the admin clock can move them). A locked
 * counter answers 429 with Retry-After.
 */
@Injectable()
export class LoginThrottle {
  constructor(
    private readonly dataSource: DataSource,
    private readonly clock: Clock,
  ) {}

  /** Throws 429 if the counter is in a lockout. */
  async assertOpen(key: string, what: string): Promise<void> {
    const lockedUntil = await throttles.lockedUntil(this.dataSource, key);
    const retryAfter = lockoutSecondsLeft(lockedUntil, this.clock.now());
    if (retryAfter !== null) {
      throw new ProblemError({
        type: 'too-many-attempts',
        title: 'Too many attempts',
        status: 429,
        detail: `Too many failed ${what}. Try again in ${describeWait(retryAfter)}.`,
        retryAfter,
      });
    }
  }

  /** Counts one failure as `afterFailure` judges it, under the counter's row lock. */
  async fail(manager: EntityManager, key: string, policy: ThrottlePolicy): Promise<FailureOutcome> {
    const now = this.clock.now();
    const stored = await throttles.lock(manager, key, now);
    const { next, lockedUntil, failures } = afterFailure(stored, now, policy);
    await throttles.save(manager, key, next, lockedUntil);
    return { lockedUntil, failures };
  }

  /** Forgets a counter (a successful log-in, or the owner's unlock link). */
  async clear(manager: EntityManager, ...keys: string[]): Promise<void> {
    await throttles.remove(manager, keys);
  }
}
