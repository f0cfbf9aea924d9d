// A consumer in its own process, so the contract suite can kill it with SIGKILL mid-batch.
// env: CONTRACT_DATABASE_URL, CONTRACT_GROUP, CONTRACT_TOPIC, KAFKA_BROKERS (absent = embedded bus)
import { KafkaEventTransport } from '../src/kafka/kafka-event-transport';
import { PgEventBus } from '../src/embedded/pg-event-bus';
import { contractRouter, openContractDatabase } from './contract-fixture';

async function main(): Promise<void> {
  const url = process.env['CONTRACT_DATABASE_URL']!;
  const group = process.env['CONTRACT_GROUP']!;
  const topic = process.env['CONTRACT_TOPIC']!;
  const brokers = process.env['KAFKA_BROKERS'];
  const dataSource = await openContractDatabase(url);
  const transport = brokers
    ? new KafkaEventTransport({
        brokers: brokers.split(','),
        clientId: 'contract-child',
        sessionTimeoutMs: 3000,
        maxWaitTimeInMs: 200,
      })
    : new PgEventBus({ databaseUrl: url, sessionTimeoutMs: 1500, idlePollMs: 200 });
  // Says when 30 events are handled (not necessarily committed), so the suite kills it mid-batch.
  let handled = 0;
  const router = contractRouter(dataSource, group, topic, 15, () => {
    if (++handled === 30) {
      process.stdout.write('handled 30\n');
    }
  });
  await transport.subscribe({
    group,
    topics: router.topics,
    handle: router.deliver,
    handleBatch: router.deliverBatch,
  });
  process.stdout.write('subscribed\n');
}

main().catch((error: unknown) => {
  process.stderr.write(`consumer child: ${String(error)}\n`);
  process.exit(1);
});
