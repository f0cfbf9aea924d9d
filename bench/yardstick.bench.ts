// The yardstick of a submit (issue 22): the platform's submit path against the same work in one
// process (one-process-submit.ts), both sent what the SDK sends (a fresh Idempotency-Key each),
// with the CPU every process spent per accepted submit, and p99 at a fixed 100 submits/s.
import { fork, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { Client } from 'pg';
import { groupCommitMetricName } from '@fluxnote/persistence';
import { scrapedValue } from '@fluxnote/testing';
import { serviceNames, type Platform } from '../tools/launcher/platform';
import { cpuDuring } from './cpu';
import { job, load, type LoadResult } from './gateway.bench';
import { referenceSchema } from './one-process-submit';
import { fmt } from './stats';

export interface Measured {
  /** As fast as answers come (32 connections). */
  load: LoadResult;
  /** At 100 submits a second. */
  at100: LoadResult;
  /** CPU milliseconds per accepted submit, per process (Postgres with all its backends). */
  cpuMsPerSubmit: Record<string, number>;
  /** The load generator's own (this process), not counted in the total. */
  clientCpuMsPerSubmit: number;
}

export interface Yardstick {
  platform: Measured;
  reference: Measured;
  /** Submits carried per commit by each gathered statement of the platform, in its measured run. */
  writesPerCommit: Record<string, number>;
}

/** The gathered statements of the submit path, by the service that runs them. */
const gathered = {
  billing: ['billing_hold'],
  generation: ['generation_submit', 'generation_queue'],
};

/** Each gathered statement's items and commits so far, read from its service's /metrics. */
async function commitsSoFar(platform: Platform): Promise<Record<string, [number, number]>> {
  const counts: Record<string, [number, number]> = {};
  for (const [service, statements] of Object.entries(gathered)) {
    const url = `${platform.internalHttpUrl(service as keyof typeof gathered)}/metrics`;
    const text = await (await fetch(url)).text();
    for (const statement of statements) {
      counts[statement] = [
        scrapedValue(text, `${groupCommitMetricName}_sum`, { statement }),
        scrapedValue(text, `${groupCommitMetricName}_count`, { statement }),
      ];
    }
  }
  return counts;
}

const accepted = (result: LoadResult): number => result.statuses['202'] ?? 0;

async function measure(
  url: string,
  tokens: string[],
  trees: Record<string, number>,
): Promise<Measured> {
  let n = 0;
  const headers = (): Record<string, string> => ({
    authorization: `Bearer ${tokens[n++ % tokens.length]}`,
    'idempotency-key': randomUUID(),
  });
  await load(url, headers, job); // warm-up run
  const client = process.cpuUsage();
  const { result, seconds } = await cpuDuring(trees, () => load(url, headers, job));
  const clientUsage = process.cpuUsage(client);
  const submits = Math.max(1, accepted(result));
  const at100 = await load(url, headers, job, { connections: 8, rate: 100 });
  return {
    load: result,
    at100,
    cpuMsPerSubmit: Object.fromEntries(
      Object.entries(seconds).map(([name, s]) => [name, (s * 1000) / submits]),
    ),
    clientCpuMsPerSubmit: (clientUsage.user + clientUsage.system) / 1000 / submits,
  };
}

/** Starts the one-process reference on the platform's database and keys; resolves its port. */
async function startReference(
  platform: Platform,
  token: string,
): Promise<{ child: ChildProcess; port: string }> {
  const jwks = await (await fetch(`${platform.gatewayUrl}/.well-known/jwks.json`)).text();
  const claims = JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString()) as {
    iss: string;
    aud: string;
  };
  const child = fork(join(__dirname, 'one-process-submit.ts'), [], {
    execArgv: ['-r', '@swc-node/register'],
    env: {
      ...process.env,
      DATABASE_URL: platform.databaseUrl,
      REFERENCE_JWKS: jwks,
      REFERENCE_ISSUER: claims.iss,
      REFERENCE_AUDIENCE: claims.aud,
    },
    stdio: ['ignore', 'pipe', 'inherit', 'ipc'],
  });
  const port = await new Promise<string>((resolve) =>
    createInterface({ input: child.stdout! }).once('line', resolve),
  );
  return { child, port };
}

/**
 * Measures the platform's submit (the generation workers off, as the submit-path row) and the
 * one-process reference under the same load, on the same database.
 */
export async function benchYardstick(
  platform: Platform,
  postgresPid: number,
  users: { tokens: string[]; userIds: string[] },
  log: (line: string) => void,
): Promise<Yardstick> {
  const services = Object.fromEntries(
    serviceNames.map((name) => [name, platform.pidOf(name)!] as const),
  );
  const before = await commitsSoFar(platform);
  const onPlatform = await measure(`${platform.gatewayUrl}/v1/generations`, users.tokens, {
    ...services,
    postgres: postgresPid,
  });
  const after = await commitsSoFar(platform);
  const writesPerCommit = Object.fromEntries(
    Object.entries(after).map(([statement, [items, commits]]) => [
      statement,
      (items - before[statement][0]) / Math.max(1, commits - before[statement][1]),
    ]),
  );
  log(
    `  platform, a fresh Idempotency-Key each: ${fmt(onPlatform.load.requestsPerSecond)} req/s, p50 ${onPlatform.load.p50} / p99 ${onPlatform.load.p99} ms; at 100/s p99 ${onPlatform.at100.p99} ms; statuses ${JSON.stringify(onPlatform.load.statuses)}`,
  );
  log(
    `  submits per commit: ${Object.entries(writesPerCommit)
      .map(([statement, n]) => `${statement} ${fmt(n, 1)}`)
      .join(' · ')}`,
  );
  const db = new Client({ connectionString: platform.databaseUrl });
  await db.connect();
  let reference: { child: ChildProcess; port: string } | undefined;
  try {
    await db.query(referenceSchema);
    await db.query(
      `INSERT INTO bench_reference.credit_balances (user_id, pool, allowance)
       SELECT unnest($1::uuid[]), 'video', 10000000`,
      [users.userIds],
    );
    reference = await startReference(platform, users.tokens[0]);
    const inOneProcess = await measure(
      `http://127.0.0.1:${reference.port}/v1/generations`,
      users.tokens,
      { reference: reference.child.pid!, postgres: postgresPid },
    );
    log(
      `  one process, the same work: ${fmt(inOneProcess.load.requestsPerSecond)} req/s, p50 ${inOneProcess.load.p50} / p99 ${inOneProcess.load.p99} ms; at 100/s p99 ${inOneProcess.at100.p99} ms; statuses ${JSON.stringify(inOneProcess.load.statuses)}`,
    );
    return { platform: onPlatform, reference: inOneProcess, writesPerCommit };
  } finally {
    reference?.child.kill('SIGTERM');
    await db.query('DROP SCHEMA IF EXISTS bench_reference CASCADE').catch(() => undefined);
    await db.end();
  }
}

/** "gateway 1.2 · accounts 0.0 · …  = 9.8 ms" for a CPU breakdown. */
export function cpuLine(cpu: Record<string, number>): string {
  const total = Object.values(cpu).reduce((a, b) => a + b, 0);
  const parts = Object.entries(cpu)
    .filter(([, ms]) => ms >= 0.05)
    .sort((a, b) => b[1] - a[1])
    .map(([name, ms]) => `${name} ${fmt(ms, 2)}`);
  return `${parts.join(' · ')}  = ${fmt(total, 2)} ms`;
}
