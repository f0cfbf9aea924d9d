import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { createServer, type AddressInfo } from 'node:net';
import { createInterface } from 'node:readline';
import { Kafka, logLevel } from 'kafkajs';
import { expectEventually, repoRoot } from '@fluxnote/testing';
import { createEnvelope, parseEnvelope, type EventEnvelope } from '../core/envelope';
import { describeDeadLettersContract } from '../../test/dead-letters.contract';
import { describeEventBusContract } from '../../test/event-bus.contract';
import { deadLetterTopic, KafkaEventTransport } from './kafka-event-transport';
import { KafkaDeadLetters } from './kafka-dead-letters';
import type { KafkaLog } from './kafka-log';

jest.setTimeout(180_000);

/**
 * The Kafka half of the contract. Against `KAFKA_BROKERS` when set; otherwise
 * against librdkafka's mock cluster, a real Kafka-protocol broker on 127.0.0.1
 * (tools/kafka-mock, installed by `npm test` before Jest runs).
 */
let brokers = process.env['KAFKA_BROKERS'] ?? '';
let mock: ChildProcess | undefined;

beforeAll(async () => {
  if (brokers) {
    return;
  }
  const script = join(repoRoot(), 'tools', 'kafka-mock', 'broker.js');
  if (!existsSync(join(repoRoot(), 'tools', 'kafka-mock', 'node_modules', 'node-rdkafka'))) {
    throw new Error(
      'the Kafka mock broker is not installed: run tools/kafka-mock/ensure-installed.sh (npm test does)',
    );
  }
  mock = spawn(process.execPath, [script], { stdio: ['pipe', 'pipe', 'inherit'] });
  brokers = await new Promise<string>((resolve, reject) => {
    mock!.once('exit', (code) => reject(new Error(`the mock broker exited early (${code})`)));
    createInterface({ input: mock!.stdout! }).once('line', (line) =>
      resolve((JSON.parse(line) as { brokers: string }).brokers),
    );
  });
});

afterAll(async () => {
  if (mock && mock.exitCode === null) {
    mock.removeAllListeners('exit');
    const gone = new Promise((r) => mock!.once('exit', r));
    mock.stdin?.end();
    await gone;
  }
});

async function readDeadLetters(topic: string, expected: number): Promise<EventEnvelope[]> {
  const kafka = new Kafka({
    clientId: 'dlq-reader',
    brokers: brokers.split(','),
    logLevel: logLevel.NOTHING,
  });
  const consumer = kafka.consumer({
    groupId: `dlq-reader-${randomUUID()}`,
    sessionTimeout: 3000,
    heartbeatInterval: 1000,
    maxWaitTimeInMs: 200,
  });
  const found: EventEnvelope[] = [];
  await consumer.connect();
  try {
    await consumer.subscribe({ topic: deadLetterTopic(topic), fromBeginning: true });
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`only ${found.length} of ${expected} dead letters arrived`)),
        30_000,
      );
      void consumer.run({
        eachMessage: ({ message }) => {
          found.push(parseEnvelope(message.value?.toString('utf8') ?? ''));
          if (found.length >= expected) {
            clearTimeout(timer);
            resolve();
          }
          return Promise.resolve();
        },
      });
    });
  } finally {
    await consumer.disconnect().catch(() => undefined);
  }
  return found;
}

describeEventBusContract('Kafka', () => ({
  transport: () =>
    new KafkaEventTransport({
      brokers: brokers.split(','),
      clientId: 'contract',
      sessionTimeoutMs: 3000,
      maxWaitTimeInMs: 200,
    }),
  childEnv: () => ({ KAFKA_BROKERS: brokers }),
  takeoverMs: 3500,
  deadLetters: (_databaseUrl, topic, _group, expected) => readDeadLetters(topic, expected),
}));

describeDeadLettersContract('Kafka', () => ({
  transport: () =>
    new KafkaEventTransport({
      brokers: brokers.split(','),
      clientId: 'dead-letters-contract',
      sessionTimeoutMs: 3000,
      maxWaitTimeInMs: 200,
    }),
  store: () =>
    new KafkaDeadLetters({
      brokers: brokers.split(','),
      clientId: 'dead-letters-contract',
      sessionTimeoutMs: 3000,
      maxWaitTimeInMs: 200,
    }),
  unknownId: `${deadLetterTopic(`dl-${randomUUID()}`)}/0/0`,
}));

describe('the Kafka client log', () => {
  function capture(): { lines: string[]; log: KafkaLog } {
    const lines: string[] = [];
    return { lines, log: (level, line) => lines.push(`${level} ${line}`) };
  }

  it('reports the group a consumer joined and the partitions it got', async () => {
    const { lines, log } = capture();
    const transport = new KafkaEventTransport({
      brokers: brokers.split(','),
      clientId: 'log-test',
      sessionTimeoutMs: 3000,
      maxWaitTimeInMs: 200,
      log,
    });
    const group = `log-test-${randomUUID()}`;
    const subscription = await transport.subscribe({
      group,
      topics: [`log-test-${randomUUID()}`],
      handle: () => Promise.resolve(),
    });
    try {
      await expectEventually(() => {
        expect(lines).toContainEqual(
          expect.stringMatching(
            new RegExp(
              `^info \\[ConsumerGroup\\] Consumer has joined the group .*"groupId":"${group}".*"memberAssignment"`,
            ),
          ),
        );
      });
    } finally {
      await subscription.stop();
      await transport.close();
    }
  });

  it('reports a broker it cannot reach, each time it tries', async () => {
    const { lines, log } = capture();
    const closed = await closedPort();
    const transport = new KafkaEventTransport({
      brokers: [`127.0.0.1:${closed}`],
      clientId: 'log-test',
      log,
    });
    const published = transport.publish([
      {
        topic: 'log-test',
        key: 'u',
        envelope: createEnvelope({ type: 'log.test', source: 'test', subject: 'u', data: {} }),
      },
    ]);
    try {
      await expectEventually(() => {
        const refused = lines.filter(
          (line) => line.startsWith('error ') && line.includes('ECONNREFUSED'),
        );
        expect(refused.length).toBeGreaterThanOrEqual(2);
        expect(refused[0]).toContain(`127.0.0.1:${closed}`);
      });
    } finally {
      await transport.close();
      await published.catch(() => undefined);
    }
  });
});

/** A port nothing listens on: bound, then released. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}
