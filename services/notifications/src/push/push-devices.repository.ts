import type { EntityManager } from 'typeorm';
import type { Sql } from '@fluxnote/persistence';

/** A device registered for push, as its owner sees it. */
export interface PushDeviceRow {
  token: string;
  platform: string;
  registeredAt: Date;
}

/** The rows of `notifications.push_devices`: reads and writes only. */
export const pushDeviceRows = {
  /** Registers the token to the user (a token moves to whoever registers it last). */
  async put(manager: EntityManager, device: PushDeviceRow & { userId: string }): Promise<void> {
    await manager.query(
      `INSERT INTO notifications.push_devices (token, user_id, platform, registered_at)
       VALUES ($1, $2, $3, $4)
       ON CONFLICT (token) DO UPDATE SET user_id = $2, platform = $3, registered_at = $4`,
      [device.token, device.userId, device.platform, device.registeredAt],
    );
  },

  /** Keeps the user's `keep` newest devices and removes the rest. */
  async keepNewest(manager: EntityManager, userId: string, keep: number): Promise<void> {
    await manager.query(
      `DELETE FROM notifications.push_devices WHERE token IN (
         SELECT token FROM notifications.push_devices WHERE user_id = $1
          ORDER BY registered_at DESC OFFSET $2)`,
      [userId, keep],
    );
  },

  /** Removes the user's registration of the token; false when they had none. */
  async remove(sql: Sql, userId: string, token: string): Promise<boolean> {
    const [, removed] = await sql.query<[unknown[], number]>(
      `DELETE FROM notifications.push_devices WHERE token = $1 AND user_id = $2`,
      [token, userId],
    );
    return removed > 0;
  },

  /** Removes a token the push service says is no longer registered, whoever had it. */
  async removeToken(sql: Sql, token: string): Promise<void> {
    await sql.query(`DELETE FROM notifications.push_devices WHERE token = $1`, [token]);
  },

  /** The user's devices, newest first. */
  async ofUser(sql: Sql, userId: string): Promise<PushDeviceRow[]> {
    const rows = await sql.query<{ token: string; platform: string; registered_at: Date }[]>(
      `SELECT token, platform, registered_at FROM notifications.push_devices
        WHERE user_id = $1 ORDER BY registered_at DESC`,
      [userId],
    );
    return rows.map((r) => ({
      token: r.token,
      platform: r.platform,
      registeredAt: r.registered_at,
    }));
  },

  /** The push tokens of each of the users. */
  async tokensOf(sql: Sql, userIds: string[]): Promise<Map<string, string[]>> {
    const rows = await sql.query<{ user_id: string; token: string }[]>(
      `SELECT user_id, token FROM notifications.push_devices WHERE user_id = ANY($1)`,
      [userIds],
    );
    const tokens = new Map<string, string[]>();
    for (const row of rows) {
      tokens.set(row.user_id, [...(tokens.get(row.user_id) ?? []), row.token]);
    }
    return tokens;
  },
};
