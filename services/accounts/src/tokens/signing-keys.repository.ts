import type { Sql } from '@fluxnote/persistence';

/** The rows of `accounts.signing_keys` (the embedded default's one key): reads and writes only. */
export const signingKeyRows = {
  /** The newest key's private PEM, if any is stored. */
  async newest(sql: Sql): Promise<string | undefined> {
    const [row] = await sql.query<{ private_pem: string }[]>(
      'SELECT private_pem FROM accounts.signing_keys ORDER BY created_at DESC LIMIT 1',
    );
    return row?.private_pem;
  },

  /** Stores the key unless one was stored first (by a concurrent start). */
  async insertIfNone(sql: Sql, privatePem: string): Promise<void> {
    await sql.query(
      `INSERT INTO accounts.signing_keys (kid, private_pem) VALUES ('embedded', $1) ON CONFLICT DO NOTHING`,
      [privatePem],
    );
  },
};
