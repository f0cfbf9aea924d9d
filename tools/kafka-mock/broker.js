// Starts librdkafka's built-in mock Kafka cluster (a real Kafka-protocol broker on 127.0.0.1)
// and prints {"brokers":"host:port"} once it answers. Runs until stdin closes or a signal.
'use strict';
const Kafka = require('node-rdkafka');

const client = new Kafka.Producer({
  'test.mock.num.brokers': 1,
  'client.id': 'fluxnote-mock-cluster',
});
client.connect({ timeout: 10000 }, (error) => {
  if (error) {
    process.stderr.write(`mock broker: ${error.message}\n`);
    process.exit(1);
  }
  client.getMetadata({ timeout: 10000 }, (err, metadata) => {
    if (err || !metadata.brokers.length) {
      process.stderr.write(`mock broker metadata: ${err ? err.message : 'no brokers'}\n`);
      process.exit(1);
    }
    const brokers = metadata.brokers.map((b) => `${b.host}:${b.port}`).join(',');
    process.stdout.write(`${JSON.stringify({ brokers })}\n`);
  });
});

function stop() {
  client.disconnect(() => process.exit(0));
  setTimeout(() => process.exit(0), 2000).unref();
}
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
process.stdin.on('end', stop);
process.stdin.resume();
