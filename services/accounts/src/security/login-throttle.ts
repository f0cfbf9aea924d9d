import { Injectable } from '@nestjs/common';
import { createHash } from 'node:crypto';
import { DataSource, type EntityManager } from 'typeorm';
import { Clock } from '@fluxnote/clock';
import { ProblemError } from '@fluxnote/contracts';

/** How many failures a counter takes in its window before a lockout, and how lockouts grow. */
export interface ThrottlePolicy {
  limit: number;
  windowMs: number;
  /** The first lockout; each further one doubles, up to `maxLockMs`. */
  baseLockMs: number;
  maxLockMs: number;
}

const MINUTE = 60_000;
/** Lockouts escalate while failures keep coming; a day without failures starts over. */
const ESCALATION_MEMORY_MS = 24 * 60 * MINUTE;

export const throttlePolicies = {
  /** One address guessing at many accounts (or one): checked first, generous for shared NATs. */
  passwordByAddress: {
    limit: 20,
    windowMs: 15 * MINUTE,
    baseLockMs: 15 * MINUTE,
    maxLockMs: 24 * 60 * MINUTE,
  },
  /** Many addresses guessing at one account from devices it has never verified. */
  passwordByAccount: {
    limit: 5,
    windowMs: 15 * MINUTE,
    baseLockMs: MINUTE,
    maxLockMs: 60 * MINUTE,
  },
  /** The owner's own trusted device: counted apart, so an attacker cannot lock the owner out. */
  passwordByTrustedDevice: {
    limit: 10,
    windowMs: 15 * MINUTE,
    baseLockMs: MINUTE,
    maxLockMs: 60 * MINUTE,
  },
  codeByAddress: {
    limit: 20,
    windowMs: 15 * MINUTE,
    baseLockMs: 15 * MINUTE,
    maxLockMs: 24 * 60 * MINUTE,
  },
  codeByAccount: {
    limit: 10,
    windowMs: 15 * MINUTE,
    baseLockMs: 5 * MINUTE,
    maxLockMs: 60 * MINUTE,
  },
} satisfies Record<string, ThrottlePolicy>;

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
 * Failure counters with escalating temporary lockouts, kept in Postgres (so every
 * replica sees them) and timed by the platform clock (so tests and the admin
 * clock can move them). A locked counter answers 429 with Retry-After.
 */
@Injectable()
export class LoginThrottle {
  constructor(
    private readonly dataSource: DataSource,
    private readonly clock: Clock,
  ) {}

  /** Throws 429 if the counter is in a lockout. */
  async assertOpen(key: string, what: string): Promise<void> {
    const [row] = await this.dataSource.query<{ locked_until: Date | null }[]>(
      `SELECT locked_until FROM accounts.throttles WHERE key = $1`,
      [key],
    );
    const now = this.clock.now().getTime();
    if (row?.locked_until && row.locked_until.getTime() > now) {
      const retryAfter = Math.ceil((row.locked_until.getTime() - now) / 1000);
      throw new ProblemError({
        type: 'too-many-attempts',
        title: 'Too many attempts',
        status: 429,
        detail: `Too many failed ${what}. Try again in ${describeWait(retryAfter)}.`,
        retryAfter,
      });
    }
  }

  /** Counts one failure; starts a lockout (twice as long as the previous one) when the limit is reached. */
  async fail(manager: EntityManager, key: string, policy: ThrottlePolicy): Promise<FailureOutcome> {
    const now = this.clock.now();
    await manager.query(
      `INSERT INTO accounts.throttles (key, failures, window_started_at, last_failure_at)
       VALUES ($1, 0, $2, $2) ON CONFLICT (key) DO NOTHING`,
      [key, now],
    );
    const [row] = await manager.query<
      {
        failures: number;
        window_started_at: Date;
        last_failure_at: Date;
        lockouts: number;
        locked_until: Date | null;
      }[]
    >(`SELECT * FROM accounts.throttles WHERE key = $1 FOR UPDATE`, [key]);
    const t = now.getTime();
    const windowOver = row.window_started_at.getTime() <= t - policy.windowMs;
    const lockouts = row.last_failure_at.getTime() <= t - ESCALATION_MEMORY_MS ? 0 : row.lockouts;
    let failures = windowOver ? 1 : row.failures + 1;
    let windowStart = windowOver ? now : row.window_started_at;
    let lockedUntil: Date | null = null;
    if (failures >= policy.limit) {
      lockedUntil = new Date(t + Math.min(policy.baseLockMs * 2 ** lockouts, policy.maxLockMs));
      failures = 0;
      windowStart = now;
    }
    await manager.query(
      `UPDATE accounts.throttles SET failures = $2, window_started_at = $3, last_failure_at = $4,
         lockouts = $5, locked_until = COALESCE($6, locked_until) WHERE key = $1`,
      [key, failures, windowStart, now, lockedUntil ? lockouts + 1 : lockouts, lockedUntil],
    );
    return { lockedUntil, failures: lockedUntil ? policy.limit : failures };
  }

  /** Forgets a counter (a successful log-in, or the owner's unlock link). */
  async clear(manager: EntityManager, ...keys: string[]): Promise<void> {
    await manager.query(`DELETE FROM accounts.throttles WHERE key = ANY($1)`, [keys]);
  }
}

function describeWait(seconds: number): string {
  if (seconds < 90) {
    return `${seconds} second${seconds === 1 ? '' : 's'}`;
  }
  const minutes = Math.ceil(seconds / 60);
  return minutes < 90 ? `${minutes} minutes` : `${Math.ceil(minutes / 60)} hours`;
}
