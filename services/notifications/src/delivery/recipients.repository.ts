import type { Sql } from '@fluxnote/persistence';

/** Where a person's messages go: their brand (the templates) and email. */
export interface Recipient {
  userId: string;
  brand: string;
  email: string | null;
}

/**
 * The rows of `notifications.recipients`, kept from accounts' events (and asked of accounts
 * when an event comes first): reads and writes only.
 */
export const recipientRows = {
  async of(sql: Sql, userIds: readonly string[]): Promise<Recipient[]> {
    const rows = await sql.query<{ user_id: string; brand: string; email: string | null }[]>(
      `SELECT user_id, brand, email FROM notifications.recipients WHERE user_id = ANY($1)`,
      [userIds],
    );
    return rows.map((r) => ({ userId: r.user_id, brand: r.brand, email: r.email }));
  },

  /** The people with one of the roles, and the users named. */
  async withRoles(sql: Sql, roles: string[], userIds: string[]): Promise<string[]> {
    const rows = await sql.query<{ user_id: string }[]>(
      `SELECT user_id FROM notifications.recipients WHERE roles && $1::text[] OR user_id = ANY ($2::uuid[])`,
      [roles, userIds],
    );
    return rows.map((r) => r.user_id);
  },

  /** A registration: brand, email (kept if none is given) and roles. */
  async registered(sql: Sql, r: Recipient & { roles: string[] }, at: Date): Promise<void> {
    await sql.query(
      `INSERT INTO notifications.recipients (user_id, brand, email, roles, created_at) VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (user_id) DO UPDATE SET brand = $2, email = COALESCE($3, notifications.recipients.email),
         roles = $4`,
      [r.userId, r.brand, r.email, r.roles, at],
    );
  },

  /** Keeps what accounts answered for a person no registration told of yet (it wins if it comes). */
  async learned(sql: Sql, r: Recipient & { roles: string[] }, at: Date): Promise<void> {
    await sql.query(
      `INSERT INTO notifications.recipients (user_id, brand, email, roles, created_at)
       VALUES ($1, $2, $3, $4, $5) ON CONFLICT (user_id) DO NOTHING`,
      [r.userId, r.brand, r.email, r.roles, at],
    );
  },

  async setRoles(sql: Sql, userId: string, roles: string[]): Promise<void> {
    await sql.query(`UPDATE notifications.recipients SET roles = $2 WHERE user_id = $1`, [
      userId,
      roles,
    ]);
  },
};
