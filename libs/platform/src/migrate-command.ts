import { openServiceDatabase, type ServiceDatabaseOptions } from '@fluxnote/persistence';
import { createLogger } from '@fluxnote/telemetry';

/** A service's schema as data: its name (also the schema's), entities and migrations. */
export interface ServiceDatabase {
  service: string;
  entities: ServiceDatabaseOptions['entities'];
  migrations: ServiceDatabaseOptions['migrations'];
}

/** `node main.js migrate`: run the migrations and stop (the Helm pre-install/pre-upgrade Job). */
export function isMigrateCommand(argv: readonly string[] = process.argv): boolean {
  return argv[2] === 'migrate';
}

/**
 * Creates the service's schema if needed, applies pending migrations (under the same
 * advisory lock services take at start) and closes; the exit code says whether the schema is current.
 */
export async function runMigrations(
  database: ServiceDatabase,
  config: { DATABASE_URL: string; LOG_LEVEL: string },
): Promise<void> {
  const logger = createLogger(database.service, config.LOG_LEVEL);
  try {
    const dataSource = await openServiceDatabase({
      url: config.DATABASE_URL,
      schema: database.service,
      entities: database.entities,
      migrations: database.migrations,
      applicationName: `${database.service}-migrate`,
      poolSize: 2, // the advisory lock holds one connection while the migrations run on another
    });
    const applied = await dataSource.query<{ name: string }[]>(
      `SELECT name FROM "${database.service}".migrations ORDER BY id`,
    );
    await dataSource.destroy();
    logger.info({ migrations: applied.map((m) => m.name) }, 'schema up to date');
  } catch (error) {
    logger.error({ err: error }, 'migrations failed');
    process.exitCode = 1;
  }
}
