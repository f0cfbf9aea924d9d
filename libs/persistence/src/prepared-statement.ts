import { createHash } from 'node:crypto';
import type { Pool, PoolClient, QueryResultRow } from 'pg';
import { DataSource, EntityManager } from 'typeorm';

/** What a prepared statement runs on: a pg pool or client, a TypeORM data source, or a transaction's manager. */
export type StatementTarget = Pool | PoolClient | DataSource | EntityManager;

/**
 * A statement the hot paths run many times a second, sent as a named prepared statement:
 * Postgres parses and plans it once per connection instead of on every call (for the
 * submit path's CTEs that halves the database's CPU per statement). The name comes from the
 * text, so two statements never share one. Keep it to fixed texts: each connection keeps
 * every statement it prepared until it closes.
 */
export class PreparedStatement<Row extends QueryResultRow = QueryResultRow> {
  readonly name: string;

  constructor(readonly text: string) {
    this.name = `p_${createHash('sha1').update(text).digest('hex').slice(0, 24)}`;
  }

  async run(on: StatementTarget, values: unknown[]): Promise<Row[]> {
    const result = await (
      await clientOf(on)
    ).query<Row>({ name: this.name, text: this.text, values });
    return result.rows;
  }
}

type Queryable = Pick<PoolClient, 'query'>;

function poolOf(dataSource: DataSource): Queryable {
  return (dataSource.driver as unknown as { master: Pool }).master;
}

async function clientOf(on: StatementTarget): Promise<Queryable> {
  if (on instanceof DataSource) {
    return poolOf(on);
  }
  if (on instanceof EntityManager) {
    // Inside a transaction, its own connection; otherwise any of the pool's.
    const runner = on.queryRunner;
    return runner && !runner.isReleased
      ? ((await runner.connect()) as PoolClient)
      : poolOf(on.connection);
  }
  return on;
}
