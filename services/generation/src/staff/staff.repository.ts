import type { Sql } from '@fluxnote/persistence';

/** The rows of `generation.staff` (copied from accounts' role events): reads and writes only. */
export const staffRows = {
  async roles(sql: Sql, userId: string): Promise<string[] | undefined> {
    const [row] = await sql.query<{ roles: string[] }[]>(
      `SELECT roles FROM generation.staff WHERE user_id = $1`,
      [userId],
    );
    return row?.roles;
  },

  async put(sql: Sql, userId: string, roles: string[]): Promise<void> {
    await sql.query(
      `INSERT INTO generation.staff (user_id, roles) VALUES ($1, $2)
       ON CONFLICT (user_id) DO UPDATE SET roles = $2`,
      [userId, roles],
    );
  },

  async remove(sql: Sql, userId: string): Promise<void> {
    await sql.query(`DELETE FROM generation.staff WHERE user_id = $1`, [userId]);
  },
};
