import type { EntityManager } from 'typeorm';
import type { Sql } from '@fluxnote/persistence';
import type { LoginClient } from './login-history';

/** An emailed log-in code waiting for its answer, and the device that answered the password. */
export interface LoginChallenge {
  id: string;
  userId: string;
  /** Hex of the code's keyed hash: the code itself is not kept. */
  codeHash: string;
  client: LoginClient;
  attempts: number;
  expiresAt: Date;
  completedAt: Date | null;
}

/** The rows of `accounts.login_challenges`: reads and writes only. login.service.ts decides. */
export const challengeRows = {
  async insert(
    manager: EntityManager,
    c: Omit<LoginChallenge, 'attempts' | 'completedAt'>,
    at: Date,
  ): Promise<void> {
    await manager.query(
      `INSERT INTO accounts.login_challenges
         (id, user_id, code_hash, device_key, device, ip, country, expires_at, created_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
      [
        c.id,
        c.userId,
        c.codeHash,
        c.client.deviceKey,
        c.client.device,
        c.client.ip,
        c.client.country,
        c.expiresAt,
        at,
      ],
    );
  },

  /** Whose challenge it is; undefined when there is none. */
  async userOf(sql: Sql, id: string): Promise<string | undefined> {
    const [row] = await sql.query<{ user_id: string }[]>(
      `SELECT user_id FROM accounts.login_challenges WHERE id = $1`,
      [id],
    );
    return row?.user_id;
  },

  /** The challenge, locked until the transaction ends. */
  async lock(manager: EntityManager, id: string): Promise<LoginChallenge | undefined> {
    const [row] = await manager.query<
      {
        user_id: string;
        code_hash: string;
        device_key: string;
        device: string;
        ip: string | null;
        country: string | null;
        attempts: number;
        expires_at: Date;
        completed_at: Date | null;
      }[]
    >(`SELECT * FROM accounts.login_challenges WHERE id = $1 FOR UPDATE`, [id]);
    return (
      row && {
        id,
        userId: row.user_id,
        codeHash: row.code_hash,
        client: { ip: row.ip, country: row.country, deviceKey: row.device_key, device: row.device },
        attempts: row.attempts,
        expiresAt: row.expires_at,
        completedAt: row.completed_at,
      }
    );
  },

  async countAttempt(manager: EntityManager, id: string): Promise<void> {
    await manager.query(
      `UPDATE accounts.login_challenges SET attempts = attempts + 1 WHERE id = $1`,
      [id],
    );
  },

  async complete(manager: EntityManager, id: string, at: Date): Promise<void> {
    await manager.query(`UPDATE accounts.login_challenges SET completed_at = $2 WHERE id = $1`, [
      id,
      at,
    ]);
  },
};
