import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import type { DataSource } from 'typeorm';
import { openServiceDatabase, type ServiceDatabaseOptions } from '@fluxnote/persistence';

export interface TestDatabase {
  url: string;
  drop(): Promise<void>;
}

/** A fresh, empty database on the test server, for one test file. */
export async function createTestDatabase(prefix = 't'): Promise<TestDatabase> {
  const adminUrl = process.env['TEST_DATABASE_URL'];
  if (!adminUrl) {
    throw new Error(
      'TEST_DATABASE_URL is not set: run integration tests through the Jest global setup',
    );
  }
  const name = `${prefix}_${randomBytes(6).toString('hex')}`;
  const admin = new Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: async () => {
      const c = new Client({ connectionString: adminUrl });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await c.end();
    },
  };
}

/** A service's schema as its tables and migrations define them (its `<service>.database.ts`). */
export interface ServiceSchema {
  service: string;
  entities: ServiceDatabaseOptions['entities'];
  migrations: ServiceDatabaseOptions['migrations'];
}

/** A fresh database with one service's schema migrated in, opened as that service opens it. */
export async function openTestServiceDatabase(
  prefix: string,
  schema: ServiceSchema,
  poolSize = 5,
): Promise<{ db: TestDatabase; dataSource: DataSource }> {
  const db = await createTestDatabase(prefix);
  const dataSource = await openServiceDatabase({
    url: db.url,
    schema: schema.service,
    entities: schema.entities,
    migrations: schema.migrations,
    poolSize,
  });
  return { db, dataSource };
}
