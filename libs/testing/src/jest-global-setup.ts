import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot, startEmbeddedPostgres, type RunningPostgres } from '@fluxnote/embedded-postgres';

declare global {
  var __FLUXNOTE_TEST_PG__: RunningPostgres | undefined;
}

/**
 * Jest global setup for integration and end-to-end tests: one embedded Postgres
 * for the run (or the server in `DATABASE_URL`), exposed as `TEST_DATABASE_URL`.
 * Each test file creates its own database in it.
 */
export default async function globalSetup(): Promise<void> {
  if (globalThis.__FLUXNOTE_TEST_PG__) {
    return; // started by another project's setup in this run
  }
  if (process.env['DATABASE_URL']) {
    process.env['TEST_DATABASE_URL'] = process.env['DATABASE_URL'];
    return;
  }
  const dataDir = join(repoRoot(), 'tmp', `test-postgres-${process.pid}`);
  rmSync(dataDir, { recursive: true, force: true });
  const pg = await startEmbeddedPostgres(dataDir, { fast: true });
  globalThis.__FLUXNOTE_TEST_PG__ = pg;
  process.env['TEST_DATABASE_URL'] = pg.url;
  process.env['TEST_POSTGRES_DIR'] = dataDir;
}
