import { fork } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import type { DataSource } from 'typeorm';
import { createTestDatabase, expectEventually, type TestDatabase } from '@fluxnote/testing';
import { createEnvelope, type EventEnvelope } from '../src/core/envelope';
import type {
  EventTransport,
  OutgoingEvent,
  Subscription,
  SubscriptionOptions,
} from '../src/core/transport';
import { contractRouter, openContractDatabase } from './contract-fixture';

export interface ContractTarget {
  /** A new transport instance (a separate client, like another process would have). */
  transport(databaseUrl: string): EventTransport;
  /** Envelopes a group sent to the dead letter of a topic. */
  deadLetters(
    databaseUrl: string,
    topic: string,
    group: string,
    expected: number,
  ): Promise<EventEnvelope[]>;
  /** Environment that points the consumer child process at this transport. */
  childEnv(): NodeJS.ProcessEnv;
  /** How long a killed member's partitions stay with it (session timeout plus margin). */
  takeoverMs: number;
}

function event(
  topic: string,
  key: string,
  seq: number,
  extra: Record<string, unknown> = {},
): OutgoingEvent {
  return {
    topic,
    key,
    envelope: createEnvelope({
      type: 'contract.thing.happened.v1',
      source: 'contract-test',
      subject: key,
      data: { seq, ...extra },
    }),
  };
}

/**
 * The event bus contract: ordered per key, at least once with an exactly-once
 * effect through the inbox, no loss when a consumer dies mid-batch, poison to
 * the dead letter after its retries. Both transports must pass it unchanged.
 */
export function describeEventBusContract(name: string, target: () => ContractTarget): void {
  describe(`event bus contract: ${name}`, () => {
    let db: TestDatabase;
    let dataSource: DataSource;
    let publisher: EventTransport;
    const open: (EventTransport | Subscription)[] = [];

    beforeAll(async () => {
      db = await createTestDatabase('bus');
      dataSource = await openContractDatabase(db.url);
      publisher = target().transport(db.url);
    });

    afterAll(async () => {
      for (const item of open.reverse()) {
        await ('stop' in item ? item.stop() : item.close()).catch(() => undefined);
      }
      await publisher?.close();
      await dataSource?.destroy();
      await db?.drop();
    });

    async function consume(
      group: string,
      topic: string,
      options: Pick<SubscriptionOptions, 'maxAttempts' | 'onDeadLetter'> = {},
    ): Promise<void> {
      const transport = target().transport(db.url);
      open.push(transport);
      const router = contractRouter(dataSource, group, topic);
      open.push(
        await transport.subscribe({
          group,
          topics: router.topics,
          handle: router.deliver,
          handleBatch: router.deliverBatch,
          retryBaseMs: 20,
          ...options,
        }),
      );
    }

    async function effects(
      group: string,
    ): Promise<{ event_id: string; key: string; seq: number }[]> {
      return dataSource.query(
        'SELECT event_id, key, seq FROM contract.effects WHERE group_id = $1 ORDER BY id',
        [group],
      );
    }

    it('keeps each key in order, across batches and partitions', async () => {
      const topic = `contract.order.${randomUUID()}`;
      const keys = Array.from({ length: 10 }, (_, i) => `user-${i}`);
      for (let batch = 0; batch < 20; batch++) {
        await publisher.publish(keys.map((key) => event(topic, key, batch)));
      }
      await consume('order', topic);
      const handled = await expectEventually(
        async () => {
          const rows = await effects('order');
          expect(rows).toHaveLength(200);
          return rows;
        },
        { timeoutMs: 30_000 },
      );
      for (const key of keys) {
        const seqs = handled.filter((r) => r.key === key).map((r) => r.seq);
        expect(seqs).toEqual(Array.from({ length: 20 }, (_, i) => i));
      }
    });

    it('delivers to every group, and a redelivered event has its effect once', async () => {
      const topic = `contract.dupes.${randomUUID()}`;
      const once = event(topic, 'user-a', 1);
      await publisher.publish([once, event(topic, 'user-b', 2)]);
      await publisher.publish([once]); // the same event again, as after a relay crash
      await publisher.publish([once, event(topic, 'user-a', 3)]);
      await consume('dupes-a', topic);
      await consume('dupes-b', topic);
      for (const group of ['dupes-a', 'dupes-b']) {
        const rows = await expectEventually(
          async () => {
            const r = await effects(group);
            expect(r.map((x) => x.seq).sort()).toEqual([1, 2, 3]);
            return r;
          },
          { timeoutMs: 30_000 },
        );
        expect(rows.filter((r) => r.event_id === once.envelope.id)).toHaveLength(1);
      }
    });

    it('loses nothing when a consumer is killed mid-batch', async () => {
      const topic = `contract.crash.${randomUUID()}`;
      const group = 'crash';
      const total = 150;
      for (let i = 0; i < total; i += 50) {
        await publisher.publish(
          Array.from({ length: 50 }, (_, j) => event(topic, `user-${(i + j) % 7}`, i + j)),
        );
      }
      const child = fork(join(__dirname, 'consumer-child.ts'), [], {
        execArgv: ['-r', '@swc-node/register'],
        env: {
          ...process.env,
          ...target().childEnv(),
          CONTRACT_DATABASE_URL: db.url,
          CONTRACT_GROUP: group,
          CONTRACT_TOPIC: topic,
        },
        stdio: ['ignore', 'pipe', 'inherit', 'ipc'],
      });
      const exited = new Promise((resolve) => child.once('exit', resolve));
      // Killed as soon as it has handled 30 events: batches are in flight, not all committed.
      await new Promise<void>((resolve) =>
        createInterface({ input: child.stdout! }).on('line', (line) => {
          if (line === 'handled 30') {
            resolve();
          }
        }),
      );
      child.kill('SIGKILL');
      await exited;
      const before = (await effects(group)).length;
      expect(before).toBeLessThan(total);

      await new Promise((r) => setTimeout(r, target().takeoverMs));
      await consume(group, topic);
      const rows = await expectEventually(
        async () => {
          const r = await effects(group);
          expect(new Set(r.map((x) => x.seq)).size).toBe(total);
          return r;
        },
        { timeoutMs: 60_000 },
      );
      expect(rows).toHaveLength(total); // no effect twice, though some events were delivered twice
    });

    it('sends a poison message to the dead letter after its retries and moves on', async () => {
      const topic = `contract.poison.${randomUUID()}`;
      const group = 'poison';
      const poison = event(topic, 'user-p', 1, { fail: true });
      const malformed = event(topic, 'user-p', 2);
      (malformed.envelope as { data: unknown }).data = { seq: 'not a number' };
      await publisher.publish([poison, malformed, event(topic, 'user-p', 3)]);
      const deadLettered: string[] = [];
      await consume(group, topic, {
        maxAttempts: 3,
        onDeadLetter: (deadTopic) => deadLettered.push(deadTopic),
      });
      await expectEventually(
        async () => expect((await effects(group)).map((r) => r.seq)).toEqual([3]),
        { timeoutMs: 30_000 },
      );
      const dead = await target().deadLetters(db.url, topic, group, 2);
      expect(dead.map((e) => e.id).sort()).toEqual(
        [poison.envelope.id, malformed.envelope.id].sort(),
      );
      // The subscriber is told of each (the service counts them for its alerts).
      expect(deadLettered).toEqual([topic, topic]);
    });

    it('reports how far a group is behind each partition, and nothing once it has caught up', async () => {
      const topic = `contract.lag.${randomUUID()}`;
      const group = `lag-${randomUUID()}`;
      let release: () => void = () => undefined;
      const gate = new Promise<void>((resolve) => (release = resolve));
      const transport = target().transport(db.url);
      open.push(transport);
      open.push(await transport.subscribe({ group, topics: [topic], handle: () => gate }));
      await publisher.publish([1, 2, 3].map((seq) => event(topic, 'user-lag', seq)));
      const behind = async (): Promise<number> =>
        (await transport.consumerLag(group, [topic])).reduce((sum, p) => sum + p.lag, 0);
      // The first event is in the handler; none of the three is handled.
      await expectEventually(async () => expect(await behind()).toBe(3), { timeoutMs: 30_000 });
      release();
      await expectEventually(async () => expect(await behind()).toBe(0), { timeoutMs: 30_000 });
      const partitions = await transport.consumerLag(group, [topic]);
      expect(new Set(partitions.map((p) => p.topic))).toEqual(new Set([topic]));
    });
  });
}
