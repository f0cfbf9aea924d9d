import autocannon from 'autocannon';
import { fork } from 'node:child_process';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { Client } from 'pg';
import { expectEventually } from '@fluxnote/testing';
import type { Platform } from '../tools/launcher/platform';
import { fmt } from './stats';

export interface LoadResult {
  requestsPerSecond: number;
  p50: number;
  p99: number;
  statuses: Record<string, number>;
}

const CONNECTIONS = 32;
const SECONDS = 10;

/**
 * POSTs `body` to `url` from `connections` clients for `seconds`: as fast as answers come, or
 * `rate` requests a second in all.
 */
export async function load(
  url: string,
  headers: () => Record<string, string>,
  body: string,
  {
    connections = CONNECTIONS,
    seconds = SECONDS,
    rate,
  }: { connections?: number; seconds?: number; rate?: number } = {},
): Promise<LoadResult> {
  const result = await autocannon({
    url,
    method: 'POST',
    connections,
    duration: seconds,
    ...(rate ? { overallRate: rate } : {}),
    body,
    headers: { 'content-type': 'application/json' },
    requests: [
      {
        setupRequest: (request) => ({ ...request, headers: { ...request.headers, ...headers() } }),
      },
    ],
  });
  const statuses: Record<string, number> = {};
  for (const [code, n] of Object.entries(result.statusCodeStats ?? {})) {
    statuses[code] = (n as { count: number }).count;
  }
  return {
    requestsPerSecond: result.requests.average,
    p50: result.latency.p50,
    p99: result.latency.p99,
    statuses,
  };
}

export const job = JSON.stringify({
  model: 'wan-2.6',
  mode: 'text-to-video',
  prompt: 'a red fox running through fresh snow',
});

/** A bare NestJS route in its own process. */
export async function benchBareRoute(log: (line: string) => void): Promise<LoadResult> {
  const child = fork(join(__dirname, 'bare-nest.ts'), [], {
    execArgv: ['-r', '@swc-node/register'],
    stdio: ['ignore', 'pipe', 'inherit', 'ipc'],
  });
  try {
    const port = await new Promise<string>((resolve) =>
      createInterface({ input: child.stdout! }).once('line', resolve),
    );
    await load(`http://127.0.0.1:${port}/v1/generations`, () => ({}), job); // warm-up run
    const result = await load(`http://127.0.0.1:${port}/v1/generations`, () => ({}), job);
    log(`  bare NestJS route: ${fmt(result.requestsPerSecond)} req/s, p99 ${result.p99} ms`);
    return result;
  } finally {
    child.kill('SIGTERM');
  }
}

/**
 * POST /v1/generations on the running platform: token check, gRPC, a real credit hold, the job
 * queued. Measured twice: with the workers running every job submitted (the whole platform
 * busy on the same cores), then with the workers off (the submit path alone).
 */
export async function benchSubmit(
  platform: Platform,
  log: (line: string) => void,
): Promise<{
  withWorkers: LoadResult;
  submitPath: LoadResult;
  tokens: string[];
  userIds: string[];
}> {
  const tokens: string[] = [];
  const userIds: string[] = [];
  for (let i = 0; i < 16; i++) {
    const response = await fetch(`${platform.gatewayUrl}/v1/auth/signup`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        email: `bench-${Date.now()}-${i}@example.com`,
        password: 'a long enough password',
      }),
    });
    const session = (await response.json()) as { accessToken: string; user: { id: string } };
    tokens.push(session.accessToken);
    userIds.push(session.user.id);
  }
  // Enough credits that every request makes a real reservation, not a 402.
  const db = new Client({ connectionString: platform.databaseUrl });
  await db.connect();
  await expectEventually(async () => {
    const { rows } = await db.query<{ n: string }>(
      `SELECT count(*) AS n FROM billing.credit_accounts WHERE user_id = ANY($1)`,
      [userIds],
    );
    if (Number(rows[0].n) < userIds.length) {
      throw new Error('accounts not open yet');
    }
  });
  await db.query(
    `UPDATE billing.credit_balances SET allowance = 10000000 WHERE pool = 'video' AND user_id = ANY($1)`,
    [userIds],
  );
  await db.end();
  let n = 0;
  const headers = (): Record<string, string> => ({
    authorization: `Bearer ${tokens[n++ % tokens.length]}`,
  });
  const url = `${platform.gatewayUrl}/v1/generations`;
  await load(url, headers, job); // warm-up run
  const withWorkers = await load(url, headers, job);
  log(
    `  POST /v1/generations, workers running the jobs: ${fmt(withWorkers.requestsPerSecond)} req/s, p99 ${withWorkers.p99} ms, statuses ${JSON.stringify(withWorkers.statuses)}`,
  );
  await platform.restart('generation', { WORKER_CONCURRENCY: '0' });
  await load(url, headers, job); // warm-up run
  const submitPath = await load(url, headers, job);
  log(
    `  POST /v1/generations, workers off (the submit path): ${fmt(submitPath.requestsPerSecond)} req/s, p99 ${submitPath.p99} ms, statuses ${JSON.stringify(submitPath.statuses)}`,
  );
  return { withWorkers, submitPath, tokens, userIds };
}
