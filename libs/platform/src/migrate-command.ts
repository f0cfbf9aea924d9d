import { openServiceDatabase, type ServiceDatabaseOptions } from '@fluxnote/persistence';
import { createLogger } from '@fluxnote/telemetry';
import { rowAccessGrants } from './database-roles';

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
 * Creates the service's schema if needed, applies pending migrations (under the same advisory
 * lock services take at start) and grants `DATABASE_APP_ROLE` (when set) row access to what the
 * schema holds now. Returns the migrations applied so far.
 */
export async function migrateSchema(
  database: ServiceDatabase,
  config: { DATABASE_URL: string; DATABASE_APP_ROLE?: string },
): Promise<string[]> {
  const dataSource = await openServiceDatabase({
    url: config.DATABASE_URL,
    schema: database.service,
    entities: database.entities,
    migrations: database.migrations,
    applicationName: `${database.service}-migrate`,
    poolSize: 2, // the advisory lock holds one connection while the migrations run on another
  });
  try {
    const applied = await dataSource.query<{ name: string }[]>(
      `SELECT name FROM "${database.service}".migrations ORDER BY id`,
    );
    const role = config.DATABASE_APP_ROLE;
    if (role) {
      await dataSource.transaction(async (manager) => {
        for (const grant of rowAccessGrants(database.service, role)) {
          await manager.query(grant);
        }
      });
    }
    return applied.map((m) => m.name);
  } finally {
    await dataSource.destroy();
  }
}

/** `main.js migrate`: `migrateSchema`, logged; the exit code says whether the schema is current. */
export async function runMigrations(
  database: ServiceDatabase,
  config: { DATABASE_URL: string; LOG_LEVEL: string; DATABASE_APP_ROLE?: string },
): Promise<void> {
  const logger = createLogger(database.service, config.LOG_LEVEL);
  try {
    const migrations = await migrateSchema(database, config);
    logger.info({ migrations, appRole: config.DATABASE_APP_ROLE ?? null }, 'schema up to date');
  } catch (error) {
    logger.error({ err: error }, 'migrations failed');
    process.exitCode = 1;
  }
}
