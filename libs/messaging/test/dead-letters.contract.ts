import { randomUUID } from 'node:crypto';
import { createTestDatabase, expectEventually, type TestDatabase } from '@fluxnote/testing';
import { createEnvelope } from '../src/core/envelope';
import {
  DeadLetterNotFoundError,
  DeadLetterResolvedError,
  type DeadLetter,
  type DeadLetterStore,
} from '../src/core/dead-letters';
import { runDeadLettersCommand } from '../src/core/dead-letters-command';
import type { EventTransport, Subscription } from '../src/core/transport';

export interface DeadLettersTarget {
  transport(databaseUrl: string): EventTransport;
  store(databaseUrl: string): DeadLetterStore;
  /** An id of the right shape that names no dead letter. */
  unknownId: string;
}

/**
 * What an operator does with dead letters, the same on both transports: list what a group gave
 * up on, inspect one, replay it once its cause is fixed (the consumer then handles it), discard
 * another, and see afterwards what was done.
 */
export function describeDeadLettersContract(name: string, target: () => DeadLettersTarget): void {
  describe(`dead letters: ${name}`, () => {
    let db: TestDatabase;
    let transport: EventTransport;
    let store: DeadLetterStore;
    const subscriptions: Subscription[] = [];

    beforeAll(async () => {
      db = await createTestDatabase('deadletters');
      transport = target().transport(db.url);
      store = target().store(db.url);
    });

    afterAll(async () => {
      for (const s of subscriptions) {
        await s.stop().catch(() => undefined);
      }
      await transport?.close();
      await store?.close();
      await db?.drop();
    });

    /** A group on a new topic that fails every event until `fix()`; the ids it handled. */
    async function failingConsumer(topic: string, group: string) {
      let fixed = false;
      const handled: string[] = [];
      const deadLettered: string[] = [];
      subscriptions.push(
        await transport.subscribe({
          group,
          topics: [topic],
          maxAttempts: 2,
          retryBaseMs: 10,
          onDeadLetter: (deadTopic) => deadLettered.push(deadTopic),
          handle: (envelope) => {
            if (!fixed) {
              return Promise.reject(new Error(`no handler for ${envelope.subject} yet`));
            }
            handled.push(envelope.id);
            return Promise.resolve();
          },
        }),
      );
      return { handled, deadLettered, fix: () => (fixed = true) };
    }

    function publish(topic: string, subject: string) {
      const envelope = createEnvelope({
        type: 'contract.dead.letter.v1',
        source: 'contract-test',
        subject,
        data: { subject },
      });
      return transport.publish([{ topic, key: subject, envelope }]).then(() => envelope);
    }

    /** The dead letters of `topic`, once the consumer has written `count` of them. */
    async function deadLettersOf(
      topic: string,
      consumer: { deadLettered: string[] },
      count: number,
    ): Promise<DeadLetter[]> {
      await expectEventually(() => expect(consumer.deadLettered).toHaveLength(count), {
        timeoutMs: 60_000,
      });
      const letters = await store.list({ topic });
      expect(letters).toHaveLength(count);
      return letters;
    }

    it('lists, shows, replays once and discards what a group gave up on', async () => {
      const topic = `dl-${randomUUID()}`;
      const group = `dl-group-${randomUUID()}`;
      const consumer = await failingConsumer(topic, group);
      const alice = await publish(topic, 'alice');
      const bob = await publish(topic, 'bob');

      const letters = await deadLettersOf(topic, consumer, 2);
      const byEvent = new Map(letters.map((d) => [d.eventId, d]));
      const forAlice = byEvent.get(alice.id)!;
      const forBob = byEvent.get(bob.id)!;
      expect(forAlice).toMatchObject({
        topic,
        group,
        key: 'alice',
        eventType: 'contract.dead.letter.v1',
        attempts: 2,
        error: expect.stringContaining('no handler for alice yet'),
      });
      expect(forAlice.resolution).toBeUndefined();
      expect(JSON.parse(forAlice.payload)).toEqual(alice);
      expect(await store.list({ topic, group: 'some-other-group' })).toEqual([]);
      expect(await store.get(forBob.id)).toEqual(forBob);

      consumer.fix();
      const replayed = await store.replay(forAlice.id);
      expect(replayed.resolution).toEqual({ action: 'replayed', at: expect.any(Date) });
      await expectEventually(() => expect(consumer.handled).toEqual([alice.id]), {
        timeoutMs: 60_000,
      });
      await expect(store.replay(forAlice.id)).rejects.toThrow(DeadLetterResolvedError);

      await store.discard(forBob.id);
      await expect(store.replay(forBob.id)).rejects.toThrow(DeadLetterResolvedError);
      // An event published after the discard arrives; the discarded one never does.
      const carol = await publish(topic, 'carol');
      await expectEventually(() => expect(consumer.handled).toEqual([alice.id, carol.id]), {
        timeoutMs: 60_000,
      });

      expect(await store.list({ topic })).toEqual([]);
      const all = await store.list({ topic, resolved: true });
      expect(new Map(all.map((d) => [d.id, d.resolution?.action]))).toEqual(
        new Map([
          [forAlice.id, 'replayed'],
          [forBob.id, 'discarded'],
        ]),
      );
      await expect(store.get(target().unknownId)).rejects.toThrow(DeadLetterNotFoundError);
      await expect(store.discard('not-an-id')).rejects.toThrow(DeadLetterNotFoundError);
    });

    it('replays every open one of a topic from the command line', async () => {
      const topic = `dl-${randomUUID()}`;
      const group = `dl-group-${randomUUID()}`;
      const consumer = await failingConsumer(topic, group);
      const events = [await publish(topic, 'dave'), await publish(topic, 'erin')];
      const letters = await deadLettersOf(topic, consumer, 2);

      const out: string[] = [];
      const err: string[] = [];
      const io = { out: (t: string) => out.push(t), err: (t: string) => err.push(t) };
      const command = (...argv: string[]) =>
        runDeadLettersCommand(argv, () => target().store(db.url), io);

      expect(await command('list', '--topic', topic)).toBe(0);
      for (const letter of letters) {
        expect(out.join('')).toContain(letter.id);
      }
      consumer.fix();
      out.length = 0;
      expect(await command('replay', '--every', '--topic', topic, '--group', group)).toBe(0);
      expect(out.join('').trim().split('\n').sort()).toEqual(
        letters.map((d) => `replayed ${d.id} (${topic})`).sort(),
      );
      await expectEventually(
        () => expect([...consumer.handled].sort()).toEqual(events.map((e) => e.id).sort()),
        { timeoutMs: 60_000 },
      );
      expect(await command('replay', letters[0].id)).toBe(1);
      expect(err.join('')).toContain('already replayed');
      out.length = 0;
      expect(await command('list', '--topic', topic)).toBe(0);
      expect(out.join('')).toBe('no dead letters\n');
    });
  });
}
