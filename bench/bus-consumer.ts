// The consuming service of the bus benchmark, in its own process as in production.
// Parent → child: {run, target}; child → parent: {run, latencies} once `target` events of `run` were handled.
import { EventRouter, PgEventBus } from '@fluxnote/messaging';
import { openServiceDatabase } from '@fluxnote/persistence';
import { benchEvent, BenchTables } from './bus-fixture';

async function main(): Promise<void> {
  const url = process.env['BENCH_DATABASE_URL']!;
  const dataSource = await openServiceDatabase({
    url,
    schema: 'bench',
    entities: [],
    migrations: [BenchTables],
    poolSize: 12,
  });
  const bus = new PgEventBus({ databaseUrl: url, idlePollMs: 500 });
  const latencies = new Map<string, number[]>();
  const targets = new Map<string, number>();
  const report = (run: string): void => {
    const sample = latencies.get(run) ?? [];
    if (targets.has(run) && sample.length >= targets.get(run)!) {
      targets.delete(run);
      process.send!({ run, latencies: sample });
    }
  };
  const router = new EventRouter('bench.consumer', dataSource, 'bench').on(
    benchEvent,
    (payload) => {
      const sample = latencies.get(payload.run) ?? [];
      sample.push(Date.now() - payload.sentAt);
      latencies.set(payload.run, sample);
      report(payload.run);
      return Promise.resolve();
    },
  );
  process.on('message', (message: { run: string; target: number }) => {
    targets.set(message.run, message.target);
    report(message.run);
  });
  await bus.subscribe({
    group: router.group,
    topics: router.topics,
    handle: router.deliver,
    handleBatch: router.deliverBatch,
  });
  process.send!({ ready: true });
}

void main();
