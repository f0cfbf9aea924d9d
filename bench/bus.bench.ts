import { fork } from 'node:child_process';
import { join } from 'node:path';
import { Pool } from 'pg';
import type { DataSource } from 'typeorm';
import { Outbox, OutboxRelay, PgEventBus } from '@fluxnote/messaging';
import { openServiceDatabase } from '@fluxnote/persistence';
import { benchEvent, BenchTables } from './bus-fixture';
import { fmt, percentile, rate } from './stats';

const CONCURRENCY = 8;

export interface BusResult {
  rawCommitsPerSecond: number;
  busEventsPerSecond: number;
  latencyAt500: { p50: number; p99: number; count: number };
}

/**
 * The embedded bus end to end (service transaction writes the outbox → relay →
 * bus → consumer group → handler with its inbox transaction), with the producing
 * and the consuming service in separate processes as in production, against the
 * ceiling: single-row insert+commit with pg on the same Postgres.
 */
export async function benchBus(
  databaseUrl: string,
  log: (line: string) => void,
): Promise<BusResult> {
  const dataSource: DataSource = await openServiceDatabase({
    url: databaseUrl,
    schema: 'bench',
    entities: [],
    migrations: [BenchTables],
    poolSize: CONCURRENCY + 4,
  });
  const pool = new Pool({ connectionString: databaseUrl, max: CONCURRENCY });

  // Ceiling: raw single-row insert + commit.
  await rate(
    500,
    CONCURRENCY,
    async (i) => void (await pool.query('INSERT INTO bench.raw (n) VALUES ($1)', [i])),
  );
  const rawCommitsPerSecond = await rate(5000, CONCURRENCY, async (i) => {
    await pool.query('INSERT INTO bench.raw (n) VALUES ($1)', [i]);
  });
  log(`  raw single-row insert+commit, ${CONCURRENCY} clients: ${fmt(rawCommitsPerSecond)}/s`);

  const outbox = new Outbox('bench', 'fluxnote/bench');
  const bus = new PgEventBus({ databaseUrl, idlePollMs: 500 });
  const relay = new OutboxRelay({ dataSource, schema: 'bench', transport: bus });
  await relay.start();
  const consumer = fork(join(__dirname, 'bus-consumer.ts'), [], {
    execArgv: ['-r', '@swc-node/register'],
    env: { ...process.env, BENCH_DATABASE_URL: databaseUrl },
  });
  const waiting = new Map<string, (latencies: number[]) => void>();
  consumer.on('message', (message: { run?: string; latencies?: number[] }) => {
    if (message.run && message.latencies) {
      waiting.get(message.run)?.(message.latencies);
    }
  });
  await new Promise<void>((resolve) => consumer.once('message', () => resolve()));
  const write = (run: string, i: number): Promise<unknown> =>
    dataSource.transaction((m) =>
      outbox.add(m, benchEvent, `user-${i % 64}`, { run, sentAt: Date.now() }),
    );
  const handled = (run: string, target: number): Promise<number[]> =>
    new Promise((resolve) => {
      waiting.set(run, resolve);
      consumer.send({ run, target });
    });

  // Warm up, then throughput: as fast as the writers can go, until the last event is handled.
  const warm = handled('warm', 300);
  await rate(300, CONCURRENCY, (i) => write('warm', i).then(() => undefined));
  await warm;
  const total = 5000;
  const done = handled('throughput', total);
  const started = performance.now();
  await rate(total, CONCURRENCY, (i) => write('throughput', i).then(() => undefined));
  await done;
  const busEventsPerSecond = total / ((performance.now() - started) / 1000);
  log(`  bus end to end (outbox → relay → consumer + inbox): ${fmt(busEventsPerSecond)} events/s`);

  // Latency at a steady 500 events/s for 6 s.
  const paced = 3000;
  const pacedDone = handled('paced', paced);
  const writes: Promise<unknown>[] = [];
  const t0 = performance.now();
  for (let i = 0; i < paced; i++) {
    const due = t0 + i * 2;
    const wait = due - performance.now();
    if (wait > 1) {
      await new Promise((r) => setTimeout(r, wait));
    }
    writes.push(write('paced', i));
  }
  await Promise.all(writes);
  const sample = await pacedDone;
  const latencyAt500 = {
    p50: percentile(sample, 50),
    p99: percentile(sample, 99),
    count: sample.length,
  };
  log(
    `  outbox→handler latency at 500 events/s: p50 ${latencyAt500.p50} ms, p99 ${latencyAt500.p99} ms`,
  );

  consumer.kill('SIGTERM');
  await relay.stop();
  await bus.close();
  await pool.end();
  await dataSource.destroy();
  return { rawCommitsPerSecond, busEventsPerSecond, latencyAt500 };
}
