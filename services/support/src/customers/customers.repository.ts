import type { Sql } from '@fluxnote/persistence';

/** Support's copy of a customer, kept from accounts' and billing's events. */
export interface CustomerCopy {
  brand: string;
  plan: string;
  roles: string[];
}

/**
 * The rows of `support.customers`: reads and writes only. Which owner is asked when the copy
 * is behind is customers.ts.
 */
export const customerRows = {
  async copy(sql: Sql, userId: string): Promise<CustomerCopy | undefined> {
    const [row] = await sql.query<CustomerCopy[]>(
      `SELECT brand, plan, roles FROM support.customers WHERE user_id = $1`,
      [userId],
    );
    return row;
  },

  /** A registration: brand, roles and email; the plan only if none was heard yet. */
  async registered(
    sql: Sql,
    c: { userId: string; brand: string; plan: string; roles: string[]; email: string | null },
  ): Promise<void> {
    await sql.query(
      `INSERT INTO support.customers (user_id, brand, plan, roles, email) VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (user_id) DO UPDATE SET brand = $2, roles = $4, email = COALESCE($5, support.customers.email)`,
      [c.userId, c.brand, c.plan, c.roles, c.email],
    );
  },

  async setRoles(sql: Sql, userId: string, roles: string[]): Promise<void> {
    await sql.query(`UPDATE support.customers SET roles = $2 WHERE user_id = $1`, [userId, roles]);
  },

  /** A plan change, which may arrive before the registration (on the default brand till then). */
  async setPlan(sql: Sql, userId: string, plan: string): Promise<void> {
    await sql.query(
      `INSERT INTO support.customers (user_id, brand, plan) VALUES ($1, 'fluxnote', $2)
       ON CONFLICT (user_id) DO UPDATE SET plan = $2`,
      [userId, plan],
    );
  },

  /** The customer an email address belongs to (compared in lower case); undefined if none. */
  async byEmail(sql: Sql, email: string): Promise<string | undefined> {
    const [row] = await sql.query<{ user_id: string }[]>(
      `SELECT user_id FROM support.customers WHERE lower(email) = $1 LIMIT 1`,
      [email],
    );
    return row?.user_id;
  },
};
