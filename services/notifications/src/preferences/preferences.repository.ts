import type { Sql } from '@fluxnote/persistence';
import type { Channel, NotificationCategory } from '../messages/templates';

/** One stored choice: the category on the channel, on or off. */
export interface PreferenceRow {
  category: NotificationCategory;
  channel: Channel;
  enabled: boolean;
}

/**
 * The rows of `notifications.preferences` (only the choices a user made): reads and writes
 * only. What is on by default, and what cannot be turned off, is preferences.service.ts.
 */
export const preferenceRows = {
  async ofUser(sql: Sql, userId: string): Promise<PreferenceRow[]> {
    return sql.query<PreferenceRow[]>(
      `SELECT category, channel, enabled FROM notifications.preferences WHERE user_id = $1`,
      [userId],
    );
  },

  async put(sql: Sql, userId: string, choice: PreferenceRow, at: Date): Promise<void> {
    await sql.query(
      `INSERT INTO notifications.preferences (user_id, category, channel, enabled, updated_at)
       VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (user_id, category, channel) DO UPDATE SET enabled = $4, updated_at = $5`,
      [userId, choice.category, choice.channel, choice.enabled, at],
    );
  },

  /** Of the users, who turned the category off on which channel. */
  async turnedOff(
    sql: Sql,
    userIds: readonly string[],
    category: NotificationCategory,
  ): Promise<{ userId: string; channel: Channel }[]> {
    const rows = await sql.query<{ user_id: string; channel: Channel }[]>(
      `SELECT user_id, channel FROM notifications.preferences
        WHERE user_id = ANY($1) AND category = $2 AND NOT enabled`,
      [userIds, category],
    );
    return rows.map((r) => ({ userId: r.user_id, channel: r.channel }));
  },
};
