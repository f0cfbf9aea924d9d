import type { DataSource } from 'typeorm';
import { createTestDatabase, expectEventually, type TestDatabase } from '@fluxnote/testing';
import { CONTRACT_SCHEMA, contractEvent, openContractDatabase } from '../../test/contract-fixture';
import { Outbox, outboxBacklog } from './outbox';
import { OutboxRelay } from './outbox-relay';
import {
  EventTransport,
  type OutgoingEvent,
  type PartitionLag,
  type Subscription,
} from './transport';

/** A transport that records what it was given. */
class RecordingTransport extends EventTransport {
  readonly kind = 'embedded' as const;
  readonly published: OutgoingEvent[] = [];
  publish(events: OutgoingEvent[]): Promise<void> {
    this.published.push(...events);
    return Promise.resolve();
  }
  subscribe(): Promise<Subscription> {
    return Promise.reject(new Error('not used'));
  }
  consumerLag(): Promise<PartitionLag[]> {
    return Promise.reject(new Error('not used'));
  }
  close(): Promise<void> {
    return Promise.resolve();
  }
}

describe('outbox relay (Postgres)', () => {
  let db: TestDatabase;
  let dataSource: DataSource;
  const event = contractEvent('relay.things');
  const outbox = new Outbox(CONTRACT_SCHEMA, 'fluxnote/test');
  const seqs = (transport: RecordingTransport) =>
    transport.published.map((e) => (e.envelope.data as { seq: number }).seq);

  beforeAll(async () => {
    db = await createTestDatabase('relay');
    dataSource = await openContractDatabase(db.url);
  });

  afterAll(async () => {
    await dataSource.destroy();
    await db.drop();
  });

  it('wakes on this process’s commits, without NOTIFY and long before its idle poll, and never for a rollback', async () => {
    const transport = new RecordingTransport();
    const relay = new OutboxRelay({
      dataSource,
      schema: CONTRACT_SCHEMA,
      transport,
      idlePollMs: 60_000,
    });
    await relay.start();
    try {
      // the relay's first look finds nothing and it goes to sleep for a minute
      await new Promise((resolve) => setTimeout(resolve, 100));
      await dataSource.transaction((m) => outbox.add(m, event, 'k', { seq: 1 }));
      await expectEventually(() => expect(seqs(transport)).toEqual([1]), { timeoutMs: 2_000 });

      // a rolled-back write leaves nothing to publish; the next commit is published alone
      await dataSource
        .transaction(async (m) => {
          await outbox.add(m, event, 'k', { seq: 2 });
          throw new Error('changed my mind');
        })
        .catch(() => undefined);
      // many commits at once, none lost however they interleave with the relay's batches
      await Promise.all(
        Array.from({ length: 50 }, (_, i) =>
          dataSource.transaction((m) => outbox.add(m, event, `k${i % 5}`, { seq: 10 + i })),
        ),
      );
      await expectEventually(() => expect(seqs(transport)).toHaveLength(51), {
        timeoutMs: 2_000,
      });
      expect(new Set(seqs(transport))).toEqual(
        new Set([1, ...Array.from({ length: 50 }, (_, i) => 10 + i)]),
      );
    } finally {
      await relay.stop();
    }
  });

  it('finds by its idle poll a row no commit of this process signalled (a replica that died before relaying)', async () => {
    const transport = new RecordingTransport();
    const relay = new OutboxRelay({
      dataSource,
      schema: CONTRACT_SCHEMA,
      transport,
      idlePollMs: 200,
    });
    await relay.start();
    try {
      await new Promise((resolve) => setTimeout(resolve, 50));
      // written by plain SQL, as another process would have: no signal here
      const envelope = {
        id: 'left-behind',
        type: event.type,
        source: 'fluxnote/other-replica',
        subject: 'k',
        specversion: '1.0',
        time: new Date().toISOString(),
        data: { seq: 99 },
      };
      await dataSource.query(
        `INSERT INTO "${CONTRACT_SCHEMA}".outbox (event_id, topic, key, envelope) VALUES ($1, $2, 'k', $3)`,
        [envelope.id, event.topic, JSON.stringify(envelope)],
      );
      await expectEventually(() => expect(seqs(transport)).toEqual([99]), { timeoutMs: 2_000 });
    } finally {
      await relay.stop();
    }
  });

  it('reports the backlog a relay has not published, and none once it has', async () => {
    await dataSource.transaction(async (m) => {
      await outbox.add(m, event, 'b', { seq: 1 });
      await outbox.add(m, event, 'b', { seq: 2 });
    });
    await dataSource.query(
      `UPDATE "${CONTRACT_SCHEMA}".outbox SET created_at = now() - interval '90 seconds' WHERE key = 'b'`,
    );
    const waiting = await outboxBacklog(dataSource, CONTRACT_SCHEMA);
    expect(waiting.events).toBe(2);
    expect(waiting.oldestSeconds).toBeGreaterThanOrEqual(90);
    const transport = new RecordingTransport();
    const relay = new OutboxRelay({ dataSource, schema: CONTRACT_SCHEMA, transport });
    await relay.start();
    try {
      await expectEventually(async () =>
        expect(await outboxBacklog(dataSource, CONTRACT_SCHEMA)).toEqual({
          events: 0,
          oldestSeconds: 0,
        }),
      );
    } finally {
      await relay.stop();
    }
  });
});
