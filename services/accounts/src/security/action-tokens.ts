import { Injectable } from '@nestjs/common';
import { createHash, randomBytes } from 'node:crypto';
import type { EntityManager } from 'typeorm';
import { Clock } from '@fluxnote/clock';

export type TokenPurpose = 'password_reset' | 'unlock';

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
    await manager.query(
      `INSERT INTO accounts.action_tokens (token_hash, user_id, purpose, expires_at, created_at)
       VALUES ($1, $2, $3, $4, $5)`,
      [hashOf(token), userId, purpose, expiresAt, now],
    );
    return { token, expiresAt };
  }

  /** Whether a link of this purpose went out to the user since `since` and is still unused. */
  async sentSince(
    manager: EntityManager,
    userId: string,
    purpose: TokenPurpose,
    since: Date,
  ): Promise<boolean> {
    const rows = await manager.query<unknown[]>(
      `SELECT 1 FROM accounts.action_tokens
        WHERE user_id = $1 AND purpose = $2 AND created_at > $3 AND used_at IS NULL LIMIT 1`,
      [userId, purpose, since],
    );
    return rows.length > 0;
  }

  /** The user the token was for, once: a used, expired or unknown token gives undefined. */
  async consume(
    manager: EntityManager,
    token: string,
    purpose: TokenPurpose,
  ): Promise<string | undefined> {
    const now = this.clock.now();
    const [rows] = await manager.query<[{ user_id: string }[], number]>(
      `UPDATE accounts.action_tokens SET used_at = $3
        WHERE token_hash = $1 AND purpose = $2 AND used_at IS NULL AND expires_at > $3
        RETURNING user_id`,
      [hashOf(token), purpose, now],
    );
    return rows[0]?.user_id;
  }
}
