import type { EntityManager } from 'typeorm';

/** What an emailed link is for. */
export type TokenPurpose = 'password_reset' | 'unlock';

/** The rows of `accounts.action_tokens` (hashes only): reads and writes only. */
export const actionTokenRows = {
  async insert(
    manager: EntityManager,
    t: { tokenHash: string; userId: string; purpose: TokenPurpose; expiresAt: Date; at: Date },
  ): Promise<void> {
    await manager.query(
      `INSERT INTO accounts.action_tokens (token_hash, user_id, purpose, expires_at, created_at)
       VALUES ($1, $2, $3, $4, $5)`,
      [t.tokenHash, t.userId, t.purpose, t.expiresAt, t.at],
    );
  },

  /** Whether an unused link of this purpose went to the user after `since`. */
  async unusedSince(
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
  },

  /** Marks the token used if it is unused and unexpired at `at`; the user it was for. */
  async use(
    manager: EntityManager,
    tokenHash: string,
    purpose: TokenPurpose,
    at: Date,
  ): Promise<string | undefined> {
    const [rows] = await manager.query<[{ user_id: string }[], number]>(
      `UPDATE accounts.action_tokens SET used_at = $3
        WHERE token_hash = $1 AND purpose = $2 AND used_at IS NULL AND expires_at > $3
        RETURNING user_id`,
      [tokenHash, purpose, at],
    );
    return rows[0]?.user_id;
  },

  /** Marks every unused link of the user used (a new password voids them all). */
  async useAllOf(manager: EntityManager, userId: string, at: Date): Promise<void> {
    await manager.query(
      `UPDATE accounts.action_tokens SET used_at = $2 WHERE user_id = $1 AND used_at IS NULL`,
      [userId, at],
    );
  },
};
