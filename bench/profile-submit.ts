// npm run bench:profile: where a submit's CPU goes. Starts the platform with every service under
// --cpu-prof, sends the yardstick's load (a fresh Idempotency-Key each, the generation workers
// off), stops the platform (each service writes its profile as it exits) and prints, per
// service, its CPU time by what spent it: HTTP, validation, the token check, gRPC, TypeORM, SQL,
// logging, telemetry, Nest, garbage collection, our own code.
import { mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { Client } from 'pg';
import { expectEventually, repoRoot, startEmbeddedPostgres } from '@fluxnote/testing';
import { Platform, serviceNames, type ServiceName } from '../tools/launcher/platform';
import { job, load } from './gateway.bench';
import { fmt } from './stats';

const log = (line: string): void => void process.stdout.write(`${line}\n`);

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string };
}

interface CpuProfile {
  /** Microseconds of the monotonic clock (the one `process.hrtime` reads in every process). */
  startTime: number;
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

/** What a frame's self time is spent on, by the file it runs in. */
const kinds: [RegExp, string][] = [
  [/node_modules\/(typeorm)\//, 'TypeORM'],
  [/node_modules\/(pg|pg-protocol|pg-pool|pg-types|postgres-\w+)\//, 'SQL driver (pg)'],
  [/node_modules\/(@grpc|protobufjs|@protobufjs|long)\//, 'gRPC and protobuf'],
  [/node_modules\/(jose)\//, 'token check (jose)'],
  [/node_modules\/(zod)\//, 'validation (zod)'],
  [/node_modules\/(pino|pino-\w+|sonic-boom|thread-stream)\//, 'logging (pino)'],
  [/node_modules\/(@opentelemetry|prom-client|require-in-the-middle|shimmer)\//, 'telemetry'],
  [
    /node_modules\/(express|body-parser|router|raw-body|qs|finalhandler|send|cookie|helmet|cors|on-finished|content-type|iconv-lite|type-is|path-to-regexp)\//,
    'HTTP framework (express)',
  ],
  [/node_modules\/(@nestjs|rxjs|reflect-metadata|class-transformer)\//, 'Nest and rxjs'],
  [
    /node:(_http|http|net|stream|internal\/streams|internal\/http|_stream|internal\/(url|querystring))/,
    'HTTP and sockets (node)',
  ],
  [/node:(crypto|internal\/crypto)/, 'crypto (node)'],
  [/node:/, 'other node internals'],
  [/\/(services|libs)\//, 'FluxNote code'],
  [/node_modules\//, 'other packages'],
];

function kindOf(frame: ProfileNode['callFrame']): string {
  if (frame.url === '') {
    // V8's own entries: (program) is native work outside JavaScript (the HTTP parser, syscalls).
    if (/^write(v|Buffer|Utf8String|Latin1String)$/.test(frame.functionName)) {
      return 'socket writes (syscalls)';
    }
    return frame.functionName === '(garbage collector)'
      ? 'garbage collection'
      : frame.functionName === '(idle)' || frame.functionName === '(root)'
        ? 'idle'
        : frame.functionName === '(program)'
          ? 'native, outside JS'
          : 'native builtins';
  }
  return kinds.find(([pattern]) => pattern.test(frame.url))?.[1] ?? 'other';
}

/** Self time (ms) by kind, and the busiest functions, of the samples in `window` (µs). */
export function summarize(
  profile: CpuProfile,
  window: { from: number; to: number },
): {
  byKind: Map<string, number>;
  ours: Map<string, number>;
} {
  const nodes = new Map(profile.nodes.map((n) => [n.id, n]));
  const byKind = new Map<string, number>();
  const ours = new Map<string, number>();
  let at = profile.startTime;
  profile.samples.forEach((id, i) => {
    at += profile.timeDeltas[i] ?? 0;
    if (at < window.from || at > window.to) {
      return;
    }
    const node = nodes.get(id)!;
    const ms = (profile.timeDeltas[i] ?? 0) / 1000;
    const kind = kindOf(node.callFrame);
    byKind.set(kind, (byKind.get(kind) ?? 0) + ms);
    if (kind !== 'idle') {
      const file = node.callFrame.url.replace(/^.*?\/(services|libs|node_modules)\//, '$1/');
      const where = `${node.callFrame.functionName || '(anonymous)'} ${file}`.trim();
      ours.set(where, (ours.get(where) ?? 0) + ms);
    }
  });
  return { byKind, ours };
}

async function main(): Promise<void> {
  const dir = join(repoRoot(), 'tmp', `profile-${process.pid}`);
  const profiles = join(dir, 'profiles');
  mkdirSync(profiles, { recursive: true });
  const pg = await startEmbeddedPostgres(join(dir, 'postgres'));
  let platform: Platform | undefined;
  try {
    platform = await Platform.start({
      dataDir: join(dir, 'platform'),
      databaseUrl: pg.url,
      port: 0,
      env: {
        LOG_LEVEL: 'error',
        SIMULATOR_DEFAULT_LATENCY_MS: '0',
        WORKER_CONCURRENCY: '0',
        RATE_LIMITS: '*=1000000/3600',
        LOGIN_CODE_RATE_LIMITS: '*=1000000/3600',
      },
      nodeOptions: ['--cpu-prof', `--cpu-prof-dir=${profiles}`],
    });
    const tokens: string[] = [];
    const userIds: string[] = [];
    for (let i = 0; i < 16; i++) {
      const response = await fetch(`${platform.gatewayUrl}/v1/auth/signup`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          email: `profile-${i}-${Date.now()}@example.com`,
          password: 'a long enough password',
        }),
      });
      const session = (await response.json()) as { accessToken: string; user: { id: string } };
      tokens.push(session.accessToken);
      userIds.push(session.user.id);
      await fetch(`${platform.gatewayUrl}/v1/usage`, {
        headers: { authorization: `Bearer ${session.accessToken}` },
      });
    }
    const db = new Client({ connectionString: pg.url });
    await db.connect();
    await expectEventually(async () => {
      const { rowCount } = await db.query(
        `UPDATE billing.credit_balances SET allowance = 10000000 WHERE pool = 'video' AND user_id = ANY($1)`,
        [userIds],
      );
      if (rowCount !== userIds.length) {
        throw new Error('accounts not open yet');
      }
    });
    await db.end();
    let n = 0;
    const headers = (): Record<string, string> => ({
      authorization: `Bearer ${tokens[n++ % tokens.length]}`,
      'idempotency-key': randomUUID(),
    });
    const url = `${platform.gatewayUrl}/v1/generations`;
    await load(url, headers, job); // warm-up run
    // Only the measured run counts: the samples between these two readings of the monotonic clock.
    const now = (): number => Number(process.hrtime.bigint() / 1000n);
    const stats = new Client({ connectionString: pg.url });
    await stats.connect();
    const transactions = async (): Promise<number> =>
      Number(
        (
          await stats.query<{ n: string }>(
            `SELECT sum(xact_commit + xact_rollback) AS n FROM pg_stat_database`,
          )
        ).rows[0].n,
      );
    await stats.query('SELECT pg_stat_clear_snapshot()');
    const transactionsBefore = await transactions();
    const from = now();
    const measured = await load(url, headers, job);
    const window = { from, to: now() };
    // (the statistics collector reports within a second or so)
    await new Promise((resolve) => setTimeout(resolve, 1500));
    await stats.query('SELECT pg_stat_clear_snapshot()');
    const transactionsAfter = await transactions();
    await stats.end();
    const submits = measured.statuses['202'] ?? 0;
    log(
      `Postgres: ${fmt((transactionsAfter - transactionsBefore) / Math.max(1, submits), 1)} transactions per submit (a statement outside a transaction is one; every service's background work included)`,
    );
    log(
      `${fmt(measured.requestsPerSecond)} submits/s, p99 ${measured.p99} ms, statuses ${JSON.stringify(measured.statuses)}`,
    );
    const pids = new Map<number, ServiceName>(
      serviceNames.map((name) => [platform!.pidOf(name)!, name]),
    );
    await platform.stop();
    platform = undefined;
    for (const file of readdirSync(profiles)) {
      const pid = Number(/\.(\d+)\.\d+\.\d+\.cpuprofile$/.exec(file)?.[1]);
      const service = pids.get(pid);
      if (!service) {
        continue;
      }
      const { byKind, ours } = summarize(
        JSON.parse(readFileSync(join(profiles, file), 'utf8')) as CpuProfile,
        window,
      );
      const busy = [...byKind].filter(([kind]) => kind !== 'idle').reduce((a, [, ms]) => a + ms, 0);
      log(`\n${service}: ${fmt(busy / submits, 2)} ms of CPU per submit in its process`);
      for (const [kind, ms] of [...byKind]
        .filter(([k]) => k !== 'idle')
        .sort((a, b) => b[1] - a[1])) {
        log(
          `  ${kind.padEnd(28)}${fmt((1000 * ms) / submits, 0).padStart(6)} µs  ${fmt((100 * ms) / busy, 1).padStart(5)} %`,
        );
      }
      const top = [...ours].sort((a, b) => b[1] - a[1]).slice(0, 8);
      for (const [where, ms] of top) {
        log(`    ${fmt((1000 * ms) / submits, 0).padStart(5)} µs  ${where}`);
      }
    }
  } finally {
    await platform?.stop();
    await pg.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

if (require.main === module) {
  main().catch((error: unknown) => {
    process.stderr.write(
      `profile failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    );
    process.exit(1);
  });
}
