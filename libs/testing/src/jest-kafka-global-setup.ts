import postgresSetup from './jest-global-setup';
import { startKafkaMockBroker, type RunningBroker } from './kafka-mock-broker';

declare global {
  var __FLUXNOTE_TEST_KAFKA__: RunningBroker | undefined;
}

/**
 * Jest global setup of the projects that run the platform on Kafka: the test Postgres (shared
 * with the other projects) and one mock Kafka broker for the run, exposed as `TEST_KAFKA_BROKERS`
 * (read through `testTransport()`, so no other project's platform runs on it).
 */
export default async function globalSetup(): Promise<void> {
  await postgresSetup();
  if (process.env['KAFKA_BROKERS']) {
    process.env['TEST_KAFKA_BROKERS'] = process.env['KAFKA_BROKERS'];
    return;
  }
  const broker = await startKafkaMockBroker();
  globalThis.__FLUXNOTE_TEST_KAFKA__ = broker;
  process.env['TEST_KAFKA_BROKERS'] = broker.brokers;
}
