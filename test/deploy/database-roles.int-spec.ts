import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import type { MigrationInterface } from 'typeorm';
import { openServiceDatabase } from '@fluxnote/persistence';
import { migrateSchema, rowAccessGrants, type ServiceDatabase } from '@fluxnote/platform';
import { createTestDatabase, type TestDatabase } from '@fluxnote/testing';
import { accountsDatabase } from '../../services/accounts/src/accounts.database';
import { billingDatabase } from '../../services/billing/src/billing.database';
import { gatewayDatabase } from '../../services/gateway/src/gateway.database';
import { generationDatabase } from '../../services/generation/src/generation.database';
import { notificationsDatabase } from '../../services/notifications/src/notifications.database';
import { supportDatabase } from '../../services/support/src/support.database';

jest.setTimeout(120_000);

const databases: ServiceDatabase[] = [
  accountsDatabase,
  billingDatabase,
  generationDatabase,
  notificationsDatabase,
  supportDatabase,
  gatewayDatabase,
];

/**
 * The chart's two roles on the services' real schemas: the migration Job's role owns them and
 * grants the running services' role rows only. That role starts a service without migrating,
 * reads and writes every table, and can't create, alter or drop anything.
 */
describe('database roles: the owner migrates, the services only read and write rows', () => {
  const id = randomBytes(4).toString('hex');
  const password = randomBytes(12).toString('hex');
  const owner = `fluxnote_owner_${id}`;
  const app = `fluxnote_app_${id}`;
  let db: TestDatabase;
  let admin: Client;
  const as = (role: string): string => {
    const url = new URL(db.url);
    url.username = role;
    url.password = password;
    return url.toString();
  };
  let asApp: Client;

  beforeAll(async () => {
    db = await createTestDatabase('roles');
    admin = new Client({ connectionString: db.url });
    await admin.connect();
    const dbName = new URL(db.url).pathname.slice(1);
    await admin.query(`CREATE ROLE ${owner} LOGIN PASSWORD '${password}'`);
    await admin.query(`CREATE ROLE ${app} LOGIN PASSWORD '${password}'`);
    await admin.query(`GRANT CREATE ON DATABASE ${dbName} TO ${owner}`);
    for (const database of databases) {
      await migrateSchema(database, { DATABASE_URL: as(owner), DATABASE_APP_ROLE: app });
    }
    asApp = new Client({ connectionString: as(app) });
    await asApp.connect();
  });

  afterAll(async () => {
    await asApp?.end();
    await admin?.end();
    await db?.drop();
    // roles belong to the server, not the database: drop them from the server's admin database
    const server = new Client({ connectionString: process.env['TEST_DATABASE_URL'] });
    await server.connect();
    await server.query(`DROP ROLE IF EXISTS ${app}`);
    await server.query(`DROP ROLE IF EXISTS ${owner}`);
    await server.end();
  });

  it('lets the services start on their schemas without migrating, and not with migrating', async () => {
    for (const database of databases) {
      const dataSource = await openServiceDatabase({
        url: as(app),
        schema: database.service,
        entities: database.entities,
        migrations: database.migrations,
        migrate: false,
      });
      await dataSource.destroy();
    }
    await expect(
      openServiceDatabase({
        url: as(app),
        schema: 'billing',
        entities: billingDatabase.entities,
        migrations: billingDatabase.migrations,
      }),
    ).rejects.toThrow(/permission denied/);
  });

  it('refuses to start a service whose schema has a migration pending', async () => {
    class NotYetApplied1799999999999 implements MigrationInterface {
      name = 'NotYetApplied1799999999999';
      async up(): Promise<void> {}
      async down(): Promise<void> {}
    }
    await expect(
      openServiceDatabase({
        url: as(app),
        schema: 'support',
        entities: supportDatabase.entities,
        migrations: [...Object.values(supportDatabase.migrations), NotYetApplied1799999999999],
        migrate: false,
      }),
    ).rejects.toThrow(/support schema has migrations pending/);
  });

  it('gives the services every row of every table, and nothing more', async () => {
    const schemas = databases.map((d) => d.service);
    const tables = await admin.query<{
      name: string;
      rows: boolean;
      more: boolean;
    }>(
      `SELECT format('%I.%I', schemaname, tablename) AS name,
              has_table_privilege($1, format('%I.%I', schemaname, tablename),
                                  'SELECT, INSERT, UPDATE, DELETE') AS rows,
              has_table_privilege($1, format('%I.%I', schemaname, tablename),
                                  'TRUNCATE, REFERENCES, TRIGGER') AS more
         FROM pg_tables WHERE schemaname = ANY ($2) ORDER BY 1`,
      [app, schemas],
    );
    expect(tables.rows.length).toBeGreaterThan(60);
    expect(tables.rows.filter((t) => !t.rows).map((t) => t.name)).toEqual([]);
    expect(tables.rows.filter((t) => t.more).map((t) => t.name)).toEqual([]);
    const owned = await admin.query<{ name: string }>(
      `SELECT format('%I.%I', schemaname, tablename) AS name FROM pg_tables
        WHERE schemaname = ANY ($1) AND tableowner <> $2`,
      [schemas, owner],
    );
    expect(owned.rows).toEqual([]);
    const schemaRights = await admin.query<{ usage: boolean; create: boolean }>(
      `SELECT bool_and(has_schema_privilege($1, s, 'USAGE')) AS usage,
              bool_or(has_schema_privilege($1, s, 'CREATE')) AS create
         FROM unnest($2::text[]) AS s`,
      [app, schemas],
    );
    expect(schemaRights.rows[0]).toEqual({ usage: true, create: false });

    // rows, and the sequences behind serial columns, as a service writes them
    await asApp.query(
      `INSERT INTO accounts.outbox (event_id, topic, key, envelope) VALUES ('e-1', 't', 'k', '{}')`,
    );
    await asApp.query(`UPDATE accounts.outbox SET key = 'k2' WHERE event_id = 'e-1'`);
    await asApp.query(`DELETE FROM accounts.outbox WHERE event_id = 'e-1'`);
  });

  it.each([
    ['create a table', `CREATE TABLE billing.intruder (id int)`, /permission denied/],
    ['drop a table', `DROP TABLE accounts.users`, /must be owner/],
    ['alter a table', `ALTER TABLE support.tickets ADD COLUMN x int`, /must be owner/],
    ['empty a table', `TRUNCATE generation.jobs`, /permission denied/],
    ['drop a schema', `DROP SCHEMA notifications CASCADE`, /must be owner/],
  ])('does not let a service %s', async (_what, statement, refusal) => {
    await expect(asApp.query(statement)).rejects.toThrow(refusal);
  });

  it('names only plain roles in its grants', () => {
    expect(() => rowAccessGrants('billing', 'app"; DROP SCHEMA billing; --')).toThrow(
      /not a plain role name/,
    );
  });

  it('does not let a service grant itself more (Postgres grants nothing, with a warning)', async () => {
    await asApp.query(`GRANT TRUNCATE ON gateway.rate_limits TO ${app}`);
    const { rows } = await admin.query<{ granted: boolean }>(
      `SELECT has_table_privilege($1, 'gateway.rate_limits', 'TRUNCATE') AS granted`,
      [app],
    );
    expect(rows).toEqual([{ granted: false }]);
  });
});
