import { randomUUID } from 'node:crypto';
import { Client, Pool } from 'pg';
import { createTestDatabase, expectEventually, type TestDatabase } from '@fluxnote/testing';
import { createEnvelope, type EventEnvelope } from '../core/envelope';
import { describeEventBusContract } from '../../test/event-bus.contract';
import { parseWakeMessage, PgEventBus, wakeMessage } from './pg-event-bus';

jest.setTimeout(120_000);

describeEventBusContract('embedded (Postgres)', () => ({
  transport: (databaseUrl) =>
    new PgEventBus({ databaseUrl, sessionTimeoutMs: 1500, idlePollMs: 200 }),
  childEnv: () => ({ KAFKA_BROKERS: '' }),
  takeoverMs: 1600,
  deadLetters: async (databaseUrl, topic, group) => {
    const client = new Client({ connectionString: databaseUrl });
    await client.connect();
    try {
      const { rows } = await client.query<{
        envelope: EventEnvelope;
        attempts: number;
        error: string;
      }>(
        'SELECT envelope, attempts, error FROM bus.dead_letters WHERE topic = $1 AND group_id = $2 ORDER BY id',
        [topic, group],
      );
      // A handler that keeps failing used all three attempts; a malformed payload none beyond the first.
      expect(rows.map((r) => r.attempts)).toEqual([3, 1]);
      return rows.map((r) => r.envelope);
    } finally {
      await client.end();
    }
  },
}));

describe('embedded bus wake-ups', () => {
  let db: TestDatabase;
  const buses: PgEventBus[] = [];

  beforeAll(async () => {
    db = await createTestDatabase('buswake');
  });

  afterAll(async () => {
    for (const bus of buses) {
      await bus.close();
    }
    await db.drop();
  });

  it('names the topic and its partitions in the notification', () => {
    expect(parseWakeMessage(wakeMessage('billing.events', [0, 5]))).toEqual({
      topic: 'billing.events',
      partitions: [0, 5],
    });
    expect(parseWakeMessage('billing.events')).toEqual({ topic: 'billing.events', partitions: [] });
  });

  it('wakes only the partition that got the event, and delivers at once without polling', async () => {
    const topic = `wake.${randomUUID()}`;
    const group = 'wake-one';
    // An idle poll of a minute: anything delivered within the test was woken by the publish.
    const consumer = new PgEventBus({ databaseUrl: db.url, partitions: 8, idlePollMs: 60_000 });
    const publisher = new PgEventBus({ databaseUrl: db.url, partitions: 8 });
    buses.push(consumer, publisher);
    const handled: string[] = [];
    await consumer.subscribe({
      group,
      topics: [topic],
      handle: (envelope) => {
        handled.push(envelope.subject);
        return Promise.resolve();
      },
    });
    const fetches = jest.spyOn(Pool.prototype, 'query');
    const fetchesOfGroup = (): number =>
      fetches.mock.calls.filter(([query, values]) => {
        // A statement is text and values, or one object holding both (a prepared statement).
        const { text, values: given } = typeof query === 'string' ? { text: query, values } : query;
        return text.includes('FROM bus.consumer_offsets o') && given?.[0] === group;
      }).length;
    try {
      // Let the eight partition loops make their first (empty) fetch and fall asleep.
      await expectEventually(() => expect(fetchesOfGroup()).toBeGreaterThanOrEqual(8));
      await new Promise((resolve) => setTimeout(resolve, 300));
      const asleep = fetchesOfGroup();
      await publisher.publish([
        {
          topic,
          key: 'user-1',
          envelope: createEnvelope({
            type: 'wake.test.v1',
            source: 'test',
            subject: 'user-1',
            data: {},
          }),
        },
      ]);
      await expectEventually(() => expect(handled).toEqual(['user-1']), { timeoutMs: 5_000 });
      await new Promise((resolve) => setTimeout(resolve, 300));
      // The woken partition fetched the event, then found nothing more; the other seven slept on.
      expect(fetchesOfGroup() - asleep).toBe(2);
    } finally {
      fetches.mockRestore();
    }
  });
});
