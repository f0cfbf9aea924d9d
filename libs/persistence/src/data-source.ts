import { DataSource, type MixedList, type EntitySchema } from 'typeorm';

export interface ServiceDatabaseOptions {
  url: string;
  /** The service's own schema; every table of the service lives in it. */
  schema: string;
  // eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
  entities: MixedList<Function | string | EntitySchema>;
  // eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
  migrations: MixedList<Function | string>;
  poolSize?: number;
  applicationName?: string;
  /**
   * Create the schema and apply pending migrations (default). Off where the service's role may
   * only read and write rows (the chart: a migration Job applies them as the schema's owner);
   * then a pending migration stops the start instead.
   */
  migrate?: boolean;
}

/** A TypeORM data source bound to one service schema. `synchronize` is never on. */
export function createServiceDataSource(options: ServiceDatabaseOptions): DataSource {
  return new DataSource({
    type: 'postgres',
    url: options.url,
    schema: options.schema,
    entities: options.entities,
    migrations: options.migrations,
    migrationsTableName: 'migrations',
    migrationsTransactionMode: 'each',
    synchronize: false,
    logging: false,
    applicationName: options.applicationName ?? options.schema,
    extra: { max: options.poolSize ?? 10 },
  });
}

/**
 * Connects, creates the schema if needed and runs pending migrations. Services start
 * in parallel against one database, so the whole step holds an advisory lock.
 */
export async function openServiceDatabase(options: ServiceDatabaseOptions): Promise<DataSource> {
  const dataSource = createServiceDataSource(options);
  await dataSource.initialize();
  if (options.migrate === false) {
    const pending = await dataSource.showMigrations().catch(async (error: unknown) => {
      await dataSource.destroy();
      throw error;
    });
    if (pending) {
      await dataSource.destroy();
      throw new Error(
        `the ${options.schema} schema has migrations pending: run \`main.js migrate\` as its owner first`,
      );
    }
    return dataSource;
  }
  const runner = dataSource.createQueryRunner();
  try {
    await runner.connect();
    await runner.query(`SELECT pg_advisory_lock(hashtext('fluxnote.migrations'))`);
    try {
      await runner.query(`CREATE SCHEMA IF NOT EXISTS "${options.schema}"`);
      await dataSource.runMigrations({ transaction: 'each' });
    } finally {
      await runner.query(`SELECT pg_advisory_unlock(hashtext('fluxnote.migrations'))`);
    }
  } finally {
    await runner.release();
  }
  return dataSource;
}

/** A readiness check: the service's database answers. */
export async function databaseReady(moduleRef: {
  get<T>(token: unknown, options: { strict: false }): T;
}): Promise<void> {
  await moduleRef.get<DataSource>(DataSource, { strict: false }).query('SELECT 1');
}
