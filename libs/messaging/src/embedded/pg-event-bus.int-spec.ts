import { randomUUID } from 'node:crypto';
import { Client, Pool } from 'pg';
import { createTestDatabase, expectEventually, type TestDatabase } from '@fluxnote/testing';
import { createEnvelope, type EventEnvelope } from '../core/envelope';
import { partitionFor } from '../core/partition';
import type { OutgoingEvent } from '../core/transport';
import { describeDeadLettersContract } from '../../test/dead-letters.contract';
import { describeEventBusContract } from '../../test/event-bus.contract';
import { PgDeadLetters } from './pg-dead-letters';
import { parseWakeMessage, wakeMessage } from './pg-append';
import { PgEventBus } from './pg-event-bus';

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

describeDeadLettersContract('embedded (Postgres)', () => ({
  transport: (databaseUrl) =>
    new PgEventBus({ databaseUrl, sessionTimeoutMs: 1500, idlePollMs: 200 }),
  store: (databaseUrl) => new PgDeadLetters(databaseUrl),
  unknownId: '999999999',
}));

function event(topic: string, key: string, n = 0): OutgoingEvent {
  return {
    topic,
    key,
    envelope: createEnvelope({ type: 'bus.test.v1', source: 'test', subject: key, data: { n } }),
  };
}

/** Subscribes `group` to `topic`; the subjects it handles, in order, fill the returned list. */
async function subjectsHandled(bus: PgEventBus, group: string, topic: string): Promise<string[]> {
  const handled: string[] = [];
  await bus.subscribe({
    group,
    topics: [topic],
    handle: (envelope) => {
      handled.push(envelope.subject);
      return Promise.resolve();
    },
  });
  return handled;
}

/** Counts the statements a pool sent on `group`'s offsets (its fetches and commits). */
function statementsOf(spy: jest.SpiedFunction<Pool['query']>, group: string): () => number {
  return () =>
    spy.mock.calls.filter(([query, values]: unknown[]) => {
      // A statement is text and values, or one object holding both (a prepared statement).
      const { text, values: given } =
        typeof query === 'string'
          ? { text: query, values: values as unknown[] | undefined }
          : (query as { text: string; values?: unknown[] });
      return text.includes('bus.consumer_offsets') && given?.[0] === group;
    }).length;
}

/** Keys that fall on `count` different partitions of eight. */
function keysOnPartitions(count: number): string[] {
  const keys: string[] = [];
  const used = new Set<number>();
  for (let i = 0; used.size < count; i += 1) {
    const partition = partitionFor(`user-${i}`, 8);
    if (!used.has(partition)) {
      used.add(partition);
      keys.push(`user-${i}`);
    }
  }
  return keys;
}

const label = (e: EventEnvelope): string => `${e.subject}:${(e.data as { n: number }).n}`;

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

  /** A consumer polling once a minute (what it handles sooner, a publish woke) and a publisher. */
  function eightPartitionBuses(): { consumer: PgEventBus; publisher: PgEventBus } {
    const consumer = new PgEventBus({ databaseUrl: db.url, partitions: 8, idlePollMs: 60_000 });
    const publisher = new PgEventBus({ databaseUrl: db.url, partitions: 8 });
    buses.push(consumer, publisher);
    return { consumer, publisher };
  }

  /**
   * The statement count once the partition loops (spied on after they subscribed) made their
   * first (empty) fetch, together, and fell asleep.
   */
  async function statementsOnceAsleep(count: () => number): Promise<number> {
    await expectEventually(() => expect(count()).toBeGreaterThanOrEqual(1));
    await new Promise((resolve) => setTimeout(resolve, 300));
    return count();
  }

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
    const { consumer, publisher } = eightPartitionBuses();
    const handled = await subjectsHandled(consumer, group, topic);
    const statements = jest.spyOn(Pool.prototype, 'query');
    const offsetStatements = statementsOf(statements, group);
    try {
      const asleep = await statementsOnceAsleep(offsetStatements);
      await publisher.publish([event(topic, 'user-1')]);
      await expectEventually(() => expect(handled).toEqual(['user-1']), { timeoutMs: 5_000 });
      await new Promise((resolve) => setTimeout(resolve, 300));
      // The woken partition fetched the event, then committed its offset and found nothing more
      // in one statement; the other seven slept on.
      expect(offsetStatements() - asleep).toBe(2);
    } finally {
      statements.mockRestore();
    }
  });

  it('fetches the partitions woken together in one statement and handles them in one batch', async () => {
    const topic = `together.${randomUUID()}`;
    const group = 'wake-together';
    const { consumer, publisher } = eightPartitionBuses();
    // Two events on each of four partitions, in one publish.
    const keys = keysOnPartitions(4);
    const batches: string[][] = [];
    await consumer.subscribe({
      group,
      topics: [topic],
      handle: () => Promise.reject(new Error('each run comes whole, in the batch')),
      handleBatch: (envelopes) => {
        batches.push(envelopes.map(label));
        return Promise.resolve();
      },
    });
    const statements = jest.spyOn(Pool.prototype, 'query');
    const offsetStatements = statementsOf(statements, group);
    try {
      const asleep = await statementsOnceAsleep(offsetStatements);
      await publisher.publish(keys.flatMap((key) => [event(topic, key, 1), event(topic, key, 2)]));
      await expectEventually(() => expect(batches.flat()).toHaveLength(8), { timeoutMs: 5_000 });
      await new Promise((resolve) => setTimeout(resolve, 300));
      // One batch, each key's events in order; one statement fetched all four partitions, one
      // committed their offsets and found nothing more. Partition by partition it took eight.
      expect(batches).toHaveLength(1);
      for (const key of keys) {
        expect(batches[0].filter((e) => e.startsWith(`${key}:`))).toEqual([`${key}:1`, `${key}:2`]);
      }
      expect(offsetStatements() - asleep).toBe(2);
    } finally {
      statements.mockRestore();
    }
  });
});

describe('embedded bus gathered batches', () => {
  let db: TestDatabase;
  let consumer: PgEventBus;
  let publisher: PgEventBus;

  beforeAll(async () => {
    db = await createTestDatabase('busgathered');
    consumer = new PgEventBus({ databaseUrl: db.url, partitions: 8, idlePollMs: 60_000 });
    publisher = new PgEventBus({ databaseUrl: db.url, partitions: 8 });
  });

  afterAll(async () => {
    await consumer.close();
    await publisher.close();
    await db.drop();
  });

  it('falls back partition by partition when a gathered batch fails, holding back no other', async () => {
    const topic = `gathered.${randomUUID()}`;
    const group = 'gathered-failure';
    const [bad, ...good] = keysOnPartitions(3);
    const failing = (e: EventEnvelope): boolean => label(e) === `${bad}:1`;
    const handled: string[] = [];
    await consumer.subscribe({
      group,
      topics: [topic],
      maxAttempts: 2,
      retryBaseMs: 20,
      handle: (e) => {
        if (failing(e)) {
          return Promise.reject(new Error('cannot be handled'));
        }
        handled.push(label(e));
        return Promise.resolve();
      },
      // All or nothing, like the inbox transaction.
      handleBatch: (envelopes) => {
        if (envelopes.some(failing)) {
          return Promise.reject(new Error('rolled back'));
        }
        handled.push(...envelopes.map(label));
        return Promise.resolve();
      },
    });
    await publisher.publish(
      [bad, ...good].flatMap((key) => [event(topic, key, 1), event(topic, key, 2)]),
    );
    await expectEventually(() => expect(handled).toContain(`${bad}:2`), { timeoutMs: 10_000 });
    await new Promise((resolve) => setTimeout(resolve, 300));
    // Each event that can be handled, once and in its key's order; the other partitions' events
    // went on while the failing one waited out its retry, then dead-lettered it and went on.
    expect(handled).toHaveLength(5);
    for (const key of good) {
      expect(handled.filter((h) => h.startsWith(`${key}:`))).toEqual([`${key}:1`, `${key}:2`]);
    }
    expect(handled.at(-1)).toBe(`${bad}:2`);
    const reader = new Client({ connectionString: db.url });
    await reader.connect();
    try {
      const { rows } = await reader.query<{ subject: string; attempts: number }>(
        `SELECT envelope->>'subject' AS subject, attempts FROM bus.dead_letters WHERE group_id = $1`,
        [group],
      );
      expect(rows).toEqual([{ subject: bad, attempts: 2 }]);
    } finally {
      await reader.end();
    }
  });
});

describe('embedded bus offsets', () => {
  let db: TestDatabase;

  beforeAll(async () => {
    db = await createTestDatabase('busoffsets');
  });

  afterAll(async () => {
    await db.drop();
  });

  it('commits the offset a batch reached when the consumer stops right after it', async () => {
    const topic = `stop.${randomUUID()}`;
    const group = 'stop-after-batch';
    // One partition and a long linger after a batch: the stop comes before any next fetch.
    const consumer = new PgEventBus({
      databaseUrl: db.url,
      partitions: 1,
      idlePollMs: 60_000,
      streamLingerMs: 60_000,
    });
    const publisher = new PgEventBus({ databaseUrl: db.url, partitions: 1 });
    const handled = await subjectsHandled(consumer, group, topic);
    await publisher.publish(['a', 'b', 'c'].map((key) => event(topic, key)));
    await expectEventually(() => expect(handled).toEqual(['a', 'b', 'c']), { timeoutMs: 5_000 });
    const reader = new Client({ connectionString: db.url });
    await reader.connect();
    try {
      const committed = async (): Promise<string | undefined> =>
        (
          await reader.query<{ committed: string }>(
            'SELECT committed FROM bus.consumer_offsets WHERE group_id = $1 AND topic = $2',
            [group, topic],
          )
        ).rows[0]?.committed;
      // Handled, but its commit waits for the next fetch.
      expect(await committed()).toBe('-1');
      await consumer.close();
      expect(await committed()).toBe('2');
    } finally {
      await reader.end();
      await publisher.close();
    }
  });
});

describe('embedded bus publish', () => {
  let db: TestDatabase;
  let reader: Pool;
  const buses: PgEventBus[] = [];

  beforeAll(async () => {
    db = await createTestDatabase('buspublish');
    reader = new Pool({ connectionString: db.url, max: 2 });
  });

  afterAll(async () => {
    for (const bus of buses) {
      await bus.close();
    }
    await reader.end();
    await db.drop();
  });

  it('gives each partition dense offsets and keeps each key in order when publishers race', async () => {
    const topic = `race.${randomUUID()}`;
    const publishers = Array.from({ length: 4 }, () => {
      const bus = new PgEventBus({ databaseUrl: db.url, partitions: 8 });
      buses.push(bus);
      return bus;
    });
    // Each publisher sends 25 batches of 16 events over its own 16 keys (all eight partitions),
    // all four at once: the partitions are locked in one order, so nobody deadlocks.
    await Promise.all(
      publishers.map(async (bus, p) => {
        for (let batch = 0; batch < 25; batch++) {
          await bus.publish(
            Array.from({ length: 16 }, (_, k) => event(topic, `p${p}-k${k}`, batch)),
          );
        }
      }),
    );
    const { rows } = await reader.query<{
      partition: number;
      offset: string;
      key: string;
      n: number;
    }>(
      `SELECT partition, "offset", key, (envelope->'data'->>'n')::int AS n
         FROM bus.events WHERE topic = $1 ORDER BY partition, "offset"`,
      [topic],
    );
    expect(rows).toHaveLength(4 * 25 * 16);
    const byPartition = new Map<number, number[]>();
    const byKey = new Map<string, number[]>();
    for (const row of rows) {
      byPartition.set(row.partition, [
        ...(byPartition.get(row.partition) ?? []),
        Number(row.offset),
      ]);
      byKey.set(row.key, [...(byKey.get(row.key) ?? []), row.n]);
    }
    for (const offsets of byPartition.values()) {
      expect(offsets).toEqual(offsets.map((_, i) => i));
    }
    expect(byKey.size).toBe(64);
    for (const sent of byKey.values()) {
      expect(sent).toEqual(Array.from({ length: 25 }, (_, i) => i));
    }
  });

  it('appends all of a publish or none of it', async () => {
    const good = `whole.${randomUUID()}`;
    const broken = `whole.${randomUUID()}`;
    const bus = new PgEventBus({ databaseUrl: db.url, partitions: 2 });
    buses.push(bus);
    await bus.ensureTopic(good);
    await bus.ensureTopic(broken);
    // A partition gone from under the bus (it knows the topic already): its events have no offset.
    await reader.query('DELETE FROM bus.partitions WHERE topic = $1', [broken]);
    await expect(
      bus.publish([event(good, 'a', 1), event(broken, 'b', 2), event(good, 'c', 3)]),
    ).rejects.toThrow(/offset/);
    const { rows } = await reader.query(
      'SELECT p.next_offset, (SELECT count(*) FROM bus.events e WHERE e.topic = $1) AS events FROM bus.partitions p WHERE p.topic = $1',
      [good],
    );
    expect(
      rows.map((r: { next_offset: string; events: string }) => [r.next_offset, r.events]),
    ).toEqual([
      ['0', '0'],
      ['0', '0'],
    ]);
  });
});
