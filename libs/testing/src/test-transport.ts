declare global {
  /** Set per Jest project (`globals` in jest.config.js): the event transport its platform runs on. */
  var __FLUXNOTE_TRANSPORT__: 'embedded' | 'kafka' | undefined;
}

/**
 * The event transport an end-to-end test's platform runs on: the embedded bus, or Kafka in the
 * `e2e-kafka` project (the mock broker its global setup started). Pass `env` to Platform.start.
 */
export function testTransport(): { name: string; env: NodeJS.ProcessEnv } {
  if (globalThis.__FLUXNOTE_TRANSPORT__ !== 'kafka') {
    return { name: 'embedded bus', env: {} };
  }
  const brokers = process.env['TEST_KAFKA_BROKERS'];
  if (!brokers) {
    throw new Error('the e2e-kafka project runs with its global setup (no TEST_KAFKA_BROKERS)');
  }
  return { name: 'Kafka', env: { KAFKA_BROKERS: brokers } };
}
