import type { EntityManager } from 'typeorm';
import type { Sql } from '@fluxnote/persistence';

export type LoginOutcome =
  | 'signed_up'
  | 'succeeded'
  | 'challenged'
  | 'verified'
  | 'wrong_password'
  | 'wrong_code'
  | 'refused';

/** A log-in as the user's list shows it. */
export interface LoginRecord {
  id: string;
  at: Date;
  outcome: LoginOutcome;
  device: string;
  ip: string | null;
  country: string | null;
}

/** A row of `accounts.logins` as written. */
interface LoginRow {
  id: string;
  userId: string;
  deviceKey: string;
  device: string;
  ip: string | null;
  country: string | null;
  outcome: LoginOutcome;
  at: Date;
}

/**
 * The rows of `accounts.logins` and `accounts.known_devices`: reads and writes only. Who needs
 * an emailed code is `needsLoginCode` of login.rules.ts; login-history.ts reads its facts here.
 */
export const logins = {
  /** Holds the account row until the transaction ends (a purge waits); false when it is gone. */
  async holdAccount(manager: EntityManager, userId: string): Promise<boolean> {
    const held = await manager.query<unknown[]>(
      `SELECT 1 FROM accounts.users WHERE id = $1 FOR KEY SHARE`,
      [userId],
    );
    return held.length > 0;
  },

  async insert(manager: EntityManager, login: LoginRow): Promise<void> {
    await manager.query(
      `INSERT INTO accounts.logins (id, user_id, device_key, device, ip, country, outcome, created_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
      [
        login.id,
        login.userId,
        login.deviceKey,
        login.device,
        login.ip,
        login.country,
        login.outcome,
        login.at,
      ],
    );
  },

  /** Marks the device known to the user, first seen now or seen again now. */
  async rememberDevice(
    manager: EntityManager,
    userId: string,
    deviceKey: string,
    at: Date,
  ): Promise<void> {
    await manager.query(
      `INSERT INTO accounts.known_devices (user_id, device_key, first_seen_at, last_seen_at)
       VALUES ($1, $2, $3, $3) ON CONFLICT (user_id, device_key) DO UPDATE SET last_seen_at = $3`,
      [userId, deviceKey, at],
    );
  },

  async forgetDevice(sql: Sql, userId: string, deviceKey: string): Promise<void> {
    await sql.query(`DELETE FROM accounts.known_devices WHERE user_id = $1 AND device_key = $2`, [
      userId,
      deviceKey,
    ]);
  },

  async isKnownDevice(sql: Sql, userId: string, deviceKey: string): Promise<boolean> {
    const rows = await sql.query<unknown[]>(
      `SELECT 1 FROM accounts.known_devices WHERE user_id = $1 AND device_key = $2`,
      [userId, deviceKey],
    );
    return rows.length > 0;
  },

  /**
   * Whether the user has any known device, and whether `country` (null: unknown, counted as
   * usual) is among those of their log-ins with one of `outcomes` since `since`.
   */
  async riskFacts(
    sql: Sql,
    userId: string,
    country: string | null,
    outcomes: readonly LoginOutcome[],
    since: Date,
  ): Promise<{ anyKnownDevice: boolean; usualCountry: boolean }> {
    const [row] = await sql.query<{ any_device: boolean; known_country: boolean }[]>(
      `SELECT
         EXISTS (SELECT 1 FROM accounts.known_devices WHERE user_id = $1) AS any_device,
         ($2::text IS NULL OR EXISTS (
           SELECT 1 FROM accounts.logins WHERE user_id = $1 AND country = $2
              AND outcome = ANY($3) AND created_at > $4)) AS known_country`,
      [userId, country, outcomes, since],
    );
    return { anyKnownDevice: row.any_device, usualCountry: row.known_country };
  },

  /** The user's latest log-ins, newest first. */
  async latest(sql: Sql, userId: string, limit: number): Promise<LoginRecord[]> {
    const rows = await sql.query<
      {
        id: string;
        created_at: Date;
        outcome: LoginOutcome;
        device: string;
        ip: string | null;
        country: string | null;
      }[]
    >(
      `SELECT id, created_at, outcome, device, ip, country FROM accounts.logins
        WHERE user_id = $1 ORDER BY created_at DESC, seq DESC LIMIT $2`,
      [userId, limit],
    );
    return rows.map((r) => ({
      id: r.id,
      at: r.created_at,
      outcome: r.outcome,
      device: r.device,
      ip: r.ip,
      country: r.country,
    }));
  },

  /** The device a log-in of the user's came from; undefined when it is not theirs. */
  async deviceOf(sql: Sql, userId: string, loginId: string): Promise<string | undefined> {
    const [row] = await sql.query<{ device_key: string }[]>(
      `SELECT device_key FROM accounts.logins WHERE id = $1 AND user_id = $2`,
      [loginId, userId],
    );
    return row?.device_key;
  },
};
