import { randomUUID } from 'node:crypto';
import { Pool } from 'pg';
import { DataSource } from 'typeorm';
import { scratchDatabase } from '../test/scratch-database';
import { PreparedStatement } from './prepared-statement';
import { isUniqueViolation } from './transaction';

describe('PreparedStatement (Postgres)', () => {
  let db: { url: string; drop(): Promise<void> };
  let url: string;
  let dataSource: DataSource;
  const insert = new PreparedStatement<{ id: string }>(
    `INSERT INTO things (id, name) VALUES ($1, $2) RETURNING id`,
  );
  const prepared = (name: string) =>
    `SELECT count(*)::int AS n FROM pg_prepared_statements WHERE name = '${name}'`;

  beforeAll(async () => {
    db = await scratchDatabase('prepared');
    url = db.url;
    dataSource = await new DataSource({ type: 'postgres', url }).initialize();
    await dataSource.query(`CREATE TABLE things (id uuid PRIMARY KEY, name text NOT NULL)`);
  });

  afterAll(async () => {
    await dataSource.destroy();
    await db.drop();
  });

  it('runs as a named prepared statement on the transaction’s own connection', async () => {
    const id = randomUUID();
    const [{ n }] = await dataSource.transaction(async (manager) => {
      expect(await insert.run(manager, [id, 'kept'])).toEqual([{ id }]);
      // Prepared statements are per session: this one is visible in the transaction's.
      return manager.query<{ n: number }[]>(prepared(insert.name));
    });
    expect(n).toBe(1);
    await expect(
      dataSource.transaction(async (manager) => {
        await insert.run(manager, [randomUUID(), 'rolled back']);
        throw new Error('roll back');
      }),
    ).rejects.toThrow('roll back');
    const names = await dataSource.query<{ name: string }[]>(`SELECT name FROM things`);
    expect(names).toEqual([{ name: 'kept' }]);
  });

  it('runs on a data source, a manager outside a transaction, and a pg pool, with Postgres’s errors', async () => {
    const pool = new Pool({ connectionString: url, max: 1 });
    try {
      const id = randomUUID();
      expect(await insert.run(dataSource, [id, 'a'])).toEqual([{ id }]);
      expect(await insert.run(dataSource.manager, [randomUUID(), 'b'])).toHaveLength(1);
      expect(await insert.run(pool, [randomUUID(), 'c'])).toHaveLength(1);
      const duplicate = await insert.run(pool, [id, 'again']).catch((error: unknown) => error);
      expect(isUniqueViolation(duplicate, 'things_pkey')).toBe(true);
      // The same text always has the same name; a different text never shares it.
      expect(new PreparedStatement(insert.text).name).toBe(insert.name);
      expect(new PreparedStatement(`${insert.text} `).name).not.toBe(insert.name);
    } finally {
      await pool.end();
    }
  });
});
