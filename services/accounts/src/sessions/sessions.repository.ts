import type { EntityManager } from 'typeorm';
import type { Sql } from '@fluxnote/persistence';
import { RefreshTokenEntity } from './refresh-token.entity';

export interface Revocation {
  seq: number;
  /** Empty once the account is deleted (the revocation itself stays until it expires). */
  userId: string;
  sessionId: string;
  endedAt: Date;
  /** After this, every token the revocation covers has expired anyway. */
  expiresAt: Date;
}

/**
 * The rows of `accounts.refresh_tokens` and `accounts.session_revocations`: reads and writes
 * only. When a refresh token is good, and what its reuse ends, is decided in sessions.ts.
 */
export const sessionRows = {
  /** The refresh token with this hash, locked until the transaction ends when `lock`. */
  async token(
    manager: EntityManager,
    tokenHash: string,
    lock: boolean,
  ): Promise<RefreshTokenEntity | null> {
    return manager.getRepository(RefreshTokenEntity).findOne({
      where: { tokenHash },
      ...(lock ? { lock: { mode: 'pessimistic_write' as const } } : {}),
    });
  },

  async insertToken(manager: EntityManager, token: RefreshTokenEntity): Promise<void> {
    await manager.insert(RefreshTokenEntity, token);
  },

  async markRotated(manager: EntityManager, tokenHash: string, at: Date): Promise<void> {
    await manager.update(RefreshTokenEntity, { tokenHash }, { rotatedAt: at });
  },

  /** Revokes the family's live tokens. */
  async revokeFamily(manager: EntityManager, familyId: string, at: Date): Promise<void> {
    await manager.query(
      `UPDATE accounts.refresh_tokens SET revoked_at = $2 WHERE family_id = $1 AND revoked_at IS NULL`,
      [familyId, at],
    );
  },

  /** Revokes every live token of the user; the families they belonged to. */
  async revokeAllOf(manager: EntityManager, userId: string, at: Date): Promise<string[]> {
    const [rows] = await manager.query<[{ family_id: string }[], number]>(
      `UPDATE accounts.refresh_tokens SET revoked_at = $2 WHERE user_id = $1 AND revoked_at IS NULL
       RETURNING family_id`,
      [userId, at],
    );
    return [...new Set(rows.map((r) => r.family_id))];
  },

  /** Publishes an ended session, and drops the revocations that no longer matter at `at`. */
  async publishRevocation(
    manager: EntityManager,
    revocation: Omit<Revocation, 'seq'>,
  ): Promise<void> {
    await manager.query(`DELETE FROM accounts.session_revocations WHERE expires_at <= $1`, [
      revocation.endedAt,
    ]);
    await manager.query(
      `INSERT INTO accounts.session_revocations (user_id, session_id, ended_at, expires_at)
       VALUES ($1, $2, $3, $4)`,
      [revocation.userId, revocation.sessionId, revocation.endedAt, revocation.expiresAt],
    );
  },

  /** Revocations after `afterSeq` still in force at `now`, in order. */
  async revocationsAfter(
    sql: Sql,
    afterSeq: number,
    now: Date,
    limit: number,
  ): Promise<Revocation[]> {
    const rows = await sql.query<
      {
        seq: string;
        user_id: string | null;
        session_id: string;
        ended_at: Date;
        expires_at: Date;
      }[]
    >(
      `SELECT seq, user_id, session_id, ended_at, expires_at FROM accounts.session_revocations
        WHERE seq > $1 AND expires_at > $2 ORDER BY seq LIMIT $3`,
      [afterSeq, now, limit],
    );
    return rows.map((r) => ({
      seq: Number(r.seq),
      userId: r.user_id ?? '',
      sessionId: r.session_id,
      endedAt: r.ended_at,
      expiresAt: r.expires_at,
    }));
  },
};
