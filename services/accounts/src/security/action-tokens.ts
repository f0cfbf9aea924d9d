import { Injectable } from '@nestjs/common';
import { createHash, randomBytes } from 'node:crypto';
import type { EntityManager } from 'typeorm';
import { Clock } from '@fluxnote/clock';
import { actionTokenRows, type TokenPurpose } from './action-tokens.repository';

export type { TokenPurpose } from './action-tokens.repository';

const hashOf = (token: string): string => createHash('sha256').update(token).digest('hex');

/** One-time links sent by email (only their hash is kept). */
@Injectable()
export class ActionTokens {
  constructor(private readonly clock: Clock) {}

  async issue(
    manager: EntityManager,
    userId: string,
    purpose: TokenPurpose,
    ttlMs: number,
  ): Promise<{ token: string; expiresAt: Date }> {
    const token = randomBytes(32).toString('base64url');
    const now = this.clock.now();
    const expiresAt = new Date(now.getTime() + ttlMs);
    await actionTokenRows.insert(manager, {
      tokenHash: hashOf(token),
      userId,
      purpose,
      expiresAt,
      at: now,
    });
    return { token, expiresAt };
  }

  /** Whether a link of this purpose went out to the user since `since` and is still unused. */
  async sentSince(
    manager: EntityManager,
    userId: string,
    purpose: TokenPurpose,
    since: Date,
  ): Promise<boolean> {
    return actionTokenRows.unusedSince(manager, userId, purpose, since);
  }

  /** The user the token was for, once: a used, expired or unknown token gives undefined. */
  async consume(
    manager: EntityManager,
    token: string,
    purpose: TokenPurpose,
  ): Promise<string | undefined> {
    return actionTokenRows.use(manager, hashOf(token), purpose, this.clock.now());
  }
}
