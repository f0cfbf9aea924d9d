import { randomUUID } from 'node:crypto';
import type { KafkaSecurity } from '@fluxnote/config';
import type { IHeaders, Kafka, Producer } from 'kafkajs';
import {
  DeadLetterNotFoundError,
  DeadLetterResolvedError,
  envelopeFields,
  type DeadLetter,
  type DeadLetterAction,
  type DeadLetterFilter,
  type DeadLetterStore,
} from '../core/dead-letters';
import { deadLetterTopic, kafkaClient } from './kafka-event-transport';

export interface KafkaDeadLettersOptions {
  brokers: string[];
  clientId: string;
  security?: KafkaSecurity;
  sessionTimeoutMs?: number;
  maxWaitTimeInMs?: number;
  /** How long reading the dead-letter topics to their end may take (default 60 s). */
  readTimeoutMs?: number;
}

const dlqSuffix = deadLetterTopic('');
/** A resolution is a message in the same dead-letter topic naming the one it resolves. */
const resolvesHeader = 'dlq_resolves';
const resolutionHeader = 'dlq_resolution';

interface Entry {
  letter: DeadLetter;
  /** The headers it was published with, restored on replay. */
  headers: IHeaders;
}

/**
 * Dead letters on Kafka: each `<topic>.dlq` holds the messages a group gave up on, with the
 * group, error, partition, offset and attempts in `dlq_*` headers. Kafka topics are append-only,
 * so replaying or discarding one appends a marker to the same topic (`dlq_resolves: <id>`); reading a
 * dead-letter topic to its end gives each one's state. Ids are `<dlq topic>/<partition>/<offset>`.
 *
 * Reading a topic takes a consumer group join (seconds), so an instance reads each dead-letter
 * topic once, when first asked, and keeps that snapshot with its own replays and discards: make
 * one per command (as `runDeadLettersCommand` does), not one per process.
 */
export class KafkaDeadLetters implements DeadLetterStore {
  private readonly kafka: Kafka;
  private producer: Promise<Producer> | undefined;
  /** Each dead-letter topic as read once, with this instance's own resolutions. */
  private readonly snapshot = new Map<string, Entry[]>();

  constructor(private readonly options: KafkaDeadLettersOptions) {
    this.kafka = kafkaClient(options);
  }

  async list(filter: DeadLetterFilter): Promise<DeadLetter[]> {
    const topics = (await this.deadLetterTopics()).filter(
      (t) => filter.topic === undefined || t === deadLetterTopic(filter.topic),
    );
    return (await this.entries(topics))
      .map((e) => e.letter)
      .filter(
        (d) =>
          (filter.group === undefined || d.group === filter.group) &&
          (filter.resolved === true || d.resolution === undefined),
      );
  }

  async get(id: string): Promise<DeadLetter> {
    return (await this.entry(id)).letter;
  }

  async replay(id: string): Promise<DeadLetter> {
    const { letter, headers } = await this.open(id);
    const producer = await this.getProducer();
    await producer.send({
      topic: letter.topic,
      acks: -1,
      messages: [{ key: letter.key, value: letter.payload, headers }],
    });
    return this.resolve(letter, 'replayed');
  }

  async discard(id: string): Promise<DeadLetter> {
    return this.resolve((await this.open(id)).letter, 'discarded');
  }

  async close(): Promise<void> {
    const producer = await this.producer?.catch(() => undefined);
    await producer?.disconnect().catch(() => undefined);
  }

  /** The dead-letter topics there are (never creating one by asking for it). */
  private async deadLetterTopics(): Promise<string[]> {
    const admin = this.kafka.admin();
    await admin.connect();
    try {
      return (await admin.listTopics()).filter((t) => t.endsWith(dlqSuffix)).sort();
    } finally {
      await admin.disconnect();
    }
  }

  private async entry(id: string): Promise<Entry> {
    const at = parseId(id);
    const exists = at !== undefined && (await this.deadLetterTopics()).includes(at.topic);
    const found = exists
      ? (await this.entries([at.topic])).find((e) => e.letter.id === id)
      : undefined;
    if (!found) {
      throw new DeadLetterNotFoundError(id);
    }
    return found;
  }

  private async open(id: string): Promise<Entry> {
    const found = await this.entry(id);
    if (found.letter.resolution) {
      throw new DeadLetterResolvedError(id, found.letter.resolution);
    }
    return found;
  }

  private async resolve(letter: DeadLetter, action: DeadLetterAction): Promise<DeadLetter> {
    const producer = await this.getProducer();
    const at = new Date();
    await producer.send({
      topic: deadLetterTopic(letter.topic),
      acks: -1,
      messages: [
        {
          key: letter.id,
          value: null,
          headers: {
            [resolvesHeader]: letter.id,
            [resolutionHeader]: action,
          },
          timestamp: String(at.getTime()),
        },
      ],
    });
    const resolved = { ...letter, resolution: { action, at } };
    const topic = this.snapshot.get(deadLetterTopic(letter.topic)) ?? [];
    for (const entry of topic) {
      if (entry.letter.id === letter.id) {
        entry.letter = resolved;
      }
    }
    return resolved;
  }

  /** The entries of these dead-letter topics: the snapshot, reading those not read yet. */
  private async entries(topics: string[]): Promise<Entry[]> {
    const unread = topics.filter((t) => !this.snapshot.has(t));
    if (unread.length > 0) {
      const read = await this.read(unread);
      for (const topic of unread) {
        this.snapshot.set(
          topic,
          read.filter((e) => e.letter.id.startsWith(`${topic}/`)),
        );
      }
    }
    return topics.flatMap((t) => this.snapshot.get(t) ?? []);
  }

  private getProducer(): Promise<Producer> {
    this.producer ??= (async () => {
      const producer = this.kafka.producer({ maxInFlightRequests: 1 });
      await producer.connect();
      return producer;
    })();
    return this.producer;
  }

  /** Every message of these dead-letter topics up to their end when the read began. */
  private async read(topics: string[]): Promise<Entry[]> {
    const ends = await this.endOffsets(topics);
    if (ends.size === 0) {
      return [];
    }
    const sessionTimeout = this.options.sessionTimeoutMs ?? 10_000;
    const groupId = `fluxnote-dead-letters-${randomUUID()}`;
    const consumer = this.kafka.consumer({
      groupId,
      sessionTimeout,
      heartbeatInterval: Math.max(100, Math.floor(sessionTimeout / 3)),
      maxWaitTimeInMs: this.options.maxWaitTimeInMs ?? 500,
      allowAutoTopicCreation: false,
    });
    const entries: Entry[] = [];
    const resolutions = new Map<string, NonNullable<DeadLetter['resolution']>>();
    await consumer.connect();
    try {
      await consumer.subscribe({
        topics: [...new Set([...ends.keys()].map(topicOf))],
        fromBeginning: true,
      });
      await new Promise<void>((resolve, reject) => {
        const remaining = new Set(ends.keys());
        const timer = setTimeout(
          () => reject(new Error(`reading ${[...remaining].join(', ')} did not reach the end`)),
          this.options.readTimeoutMs ?? 60_000,
        );
        consumer.on(consumer.events.CRASH, ({ payload }) => {
          clearTimeout(timer);
          reject(payload.error);
        });
        consumer
          .run({
            autoCommit: false,
            eachBatch: async ({ batch }) => {
              const at = `${batch.topic}/${batch.partition}`;
              const end = ends.get(at);
              if (end === undefined) {
                return;
              }
              for (const message of batch.messages) {
                if (BigInt(message.offset) >= end) {
                  break;
                }
                const headers = message.headers ?? {};
                const resolves = header(headers, resolvesHeader);
                if (resolves !== undefined) {
                  resolutions.set(resolves, {
                    action:
                      header(headers, resolutionHeader) === 'discarded' ? 'discarded' : 'replayed',
                    at: new Date(Number(message.timestamp)),
                  });
                } else {
                  entries.push(toEntry(batch.topic, batch.partition, message));
                }
              }
              if (BigInt(batch.lastOffset()) >= end - 1n) {
                remaining.delete(at);
                if (remaining.size === 0) {
                  clearTimeout(timer);
                  resolve();
                }
              }
              return Promise.resolve();
            },
          })
          .catch(reject);
      });
    } finally {
      await consumer.disconnect().catch(() => undefined);
      await this.forget(groupId);
    }
    return entries.map((e) => {
      const resolution = resolutions.get(e.letter.id);
      return resolution ? { ...e, letter: { ...e.letter, resolution } } : e;
    });
  }

  /** `<topic>/<partition>` → the offset after its last message, for partitions that have any. */
  private async endOffsets(topics: string[]): Promise<Map<string, bigint>> {
    const ends = new Map<string, bigint>();
    if (topics.length === 0) {
      return ends;
    }
    const admin = this.kafka.admin();
    await admin.connect();
    try {
      for (const topic of topics) {
        for (const { partition, high, low } of await admin.fetchTopicOffsets(topic)) {
          if (BigInt(high) > BigInt(low)) {
            ends.set(`${topic}/${partition}`, BigInt(high));
          }
        }
      }
    } finally {
      await admin.disconnect();
    }
    return ends;
  }

  /** The reader's group has no use once it read; brokers that cannot delete it expire it. */
  private async forget(groupId: string): Promise<void> {
    const admin = this.kafka.admin();
    try {
      await admin.connect();
      await admin.deleteGroups([groupId]);
    } catch {
      // older brokers and the test broker lack DeleteGroups; an empty group expires by itself
    } finally {
      await admin.disconnect().catch(() => undefined);
    }
  }
}

/** `<dlq topic>/<partition>/<offset>` → its parts; undefined for anything else. */
export function parseId(
  id: string,
): { topic: string; partition: number; offset: string } | undefined {
  const match = /^(.+\.dlq)\/(\d+)\/(\d+)$/.exec(id);
  return match ? { topic: match[1], partition: Number(match[2]), offset: match[3] } : undefined;
}

function topicOf(partitionKey: string): string {
  return partitionKey.slice(0, partitionKey.lastIndexOf('/'));
}

function header(headers: IHeaders, name: string): string | undefined {
  const value = headers[name];
  const first = Array.isArray(value) ? value[0] : value;
  return first === undefined ? undefined : first.toString();
}

/** A dead letter as the consumer wrote it: the original message plus its `dlq_*` headers. */
function toEntry(
  dlqTopic: string,
  dlqPartition: number,
  message: {
    key: Buffer | null;
    value: Buffer | null;
    headers?: IHeaders;
    offset: string;
    timestamp: string;
  },
): Entry {
  const headers = message.headers ?? {};
  const payload = message.value?.toString('utf8') ?? '';
  const kept: IHeaders = {};
  for (const [name, value] of Object.entries(headers)) {
    if (!name.startsWith('dlq_') && value !== undefined) {
      kept[name] = value;
    }
  }
  return {
    headers: kept,
    letter: {
      id: `${dlqTopic}/${dlqPartition}/${message.offset}`,
      topic: dlqTopic.slice(0, -dlqSuffix.length),
      group: header(headers, 'dlq_group') ?? '',
      partition: Number(header(headers, 'dlq_partition') ?? -1),
      offset: header(headers, 'dlq_offset') ?? '',
      key: message.key?.toString('utf8') ?? '',
      payload,
      ...envelopeFields(payload),
      error: header(headers, 'dlq_error') ?? '',
      attempts: Number(header(headers, 'dlq_attempts') ?? 0),
      deadAt: new Date(Number(message.timestamp)),
    },
  };
}
