import type { KafkaSecurity } from '@fluxnote/config';
import {
  Kafka,
  logLevel,
  type Admin,
  type Consumer,
  type Producer,
  type SASLOptions,
} from 'kafkajs';
import { parseEnvelope } from '../core/envelope';
import { kafkaLogCreator, type KafkaLog } from './kafka-log';
import {
  EventTransport,
  PoisonMessageError,
  retryDelayMs,
  type OutgoingEvent,
  type PartitionLag,
  type Subscription,
  type SubscriptionOptions,
} from '../core/transport';

export interface KafkaEventTransportOptions {
  brokers: string[];
  clientId: string;
  security?: KafkaSecurity;
  sessionTimeoutMs?: number;
  maxWaitTimeInMs?: number;
  onError?: (error: unknown, context: string) => void;
  /** The client's own log (connections, group joins, rebalances, crashes); none when absent. */
  log?: KafkaLog;
}

/** A kafkajs client on the brokers, with TLS and SASL when set; its own log only when given one. */
export function kafkaClient(options: {
  brokers: string[];
  clientId: string;
  security?: KafkaSecurity;
  log?: KafkaLog;
}): Kafka {
  return new Kafka({
    clientId: options.clientId,
    brokers: options.brokers,
    ...(options.log
      ? { logLevel: logLevel.INFO, logCreator: kafkaLogCreator(options.log) }
      : { logLevel: logLevel.NOTHING }),
    ssl: options.security?.ssl ?? false,
    // kafkajs types SASL per mechanism; ours is the same shape with the mechanism as a union.
    ...(options.security?.sasl ? { sasl: options.security.sasl as SASLOptions } : {}),
  });
}

export function deadLetterTopic(topic: string): string {
  return `${topic}.dlq`;
}

/**
 * Kafka adapter: key = user id so one user's events stay in one partition and in
 * order; offsets are committed only after the handler finished, so a crash
 * redelivers instead of losing; retries block the partition to keep order, and a
 * message that keeps failing is copied to `<topic>.dlq` before the offset moves on.
 */
export class KafkaEventTransport extends EventTransport {
  readonly kind = 'kafka' as const;
  private readonly kafka: Kafka;
  private producer: Producer | undefined;
  private producerReady: Promise<Producer> | undefined;
  private readonly consumers = new Set<Consumer>();
  private admin: Promise<Admin> | undefined;

  constructor(private readonly options: KafkaEventTransportOptions) {
    super();
    this.kafka = kafkaClient(options);
  }

  private getProducer(): Promise<Producer> {
    this.producerReady ??= (async () => {
      // One request in flight keeps a partition's order through retries. Duplicates a retry may
      // cause are dropped by the consumers' inbox (event id), so no idempotent producer is needed.
      const producer = this.kafka.producer({
        allowAutoTopicCreation: true,
        maxInFlightRequests: 1,
      });
      await producer.connect();
      this.producer = producer;
      return producer;
    })();
    return this.producerReady;
  }

  async publish(events: OutgoingEvent[]): Promise<void> {
    if (events.length === 0) {
      return;
    }
    const producer = await this.getProducer();
    const byTopic = new Map<string, OutgoingEvent[]>();
    for (const event of events) {
      byTopic.set(event.topic, [...(byTopic.get(event.topic) ?? []), event]);
    }
    await producer.sendBatch({
      acks: -1,
      topicMessages: [...byTopic].map(([topic, list]) => ({
        topic,
        messages: list.map((e) => ({
          key: e.key,
          value: JSON.stringify(e.envelope),
          headers: {
            ce_id: e.envelope.id,
            ce_type: e.envelope.type,
            ...(e.envelope.traceparent ? { traceparent: e.envelope.traceparent } : {}),
          },
        })),
      })),
    });
  }

  async subscribe(options: SubscriptionOptions): Promise<Subscription> {
    const sessionTimeout = this.options.sessionTimeoutMs ?? 10_000;
    const consumer = this.kafka.consumer({
      groupId: options.group,
      sessionTimeout,
      heartbeatInterval: Math.max(100, Math.floor(sessionTimeout / 3)),
      maxWaitTimeInMs: this.options.maxWaitTimeInMs ?? 500,
      allowAutoTopicCreation: true,
    });
    await consumer.connect();
    for (const topic of options.topics) {
      await consumer.subscribe({ topic, fromBeginning: true });
    }
    const maxAttempts = options.maxAttempts ?? 5;
    const baseMs = options.retryBaseMs ?? 200;
    let stopping = false;
    await consumer.run({
      autoCommit: true,
      eachMessage: async ({ topic, partition, message }) => {
        const raw = message.value?.toString('utf8') ?? '';
        for (let attempt = 1; ; attempt++) {
          try {
            const envelope = parseEnvelopeOrPoison(raw);
            await options.handle(envelope);
            return;
          } catch (error) {
            const poison = error instanceof PoisonMessageError;
            if (poison || attempt >= maxAttempts) {
              const producer = await this.getProducer();
              await producer.send({
                topic: deadLetterTopic(topic),
                messages: [
                  {
                    key: message.key,
                    value: message.value,
                    headers: {
                      dlq_group: options.group,
                      dlq_error: error instanceof Error ? error.message : String(error),
                      dlq_partition: String(partition),
                      dlq_offset: message.offset,
                      dlq_attempts: String(attempt),
                    },
                  },
                ],
              });
              options.onDeadLetter?.(topic);
              return;
            }
            if (stopping) {
              throw error; // leave the offset uncommitted; the next owner redelivers
            }
            await new Promise((resolve) => setTimeout(resolve, retryDelayMs(attempt, baseMs)));
          }
        }
      },
    });
    this.consumers.add(consumer);
    return {
      stop: async () => {
        stopping = true;
        this.consumers.delete(consumer);
        await consumer.disconnect();
      },
    };
  }

  async consumerLag(group: string, topics: string[]): Promise<PartitionLag[]> {
    this.admin ??= (async () => {
      const admin = this.kafka.admin();
      await admin.connect();
      return admin;
    })().catch((error: unknown) => {
      this.admin = undefined; // the next scrape tries again
      throw error;
    });
    const admin = await this.admin;
    const lags: PartitionLag[] = [];
    for (const { topic, partitions } of await admin.fetchOffsets({ groupId: group, topics })) {
      const ends = await admin.fetchTopicOffsets(topic);
      for (const { partition, offset } of partitions) {
        const end = ends.find((e) => e.partition === partition);
        if (end) {
          // Kafka commits the next offset to read; none yet (−1) means from the first kept.
          const next = Number(offset) >= 0 ? Number(offset) : Number(end.low);
          lags.push({ topic, partition, lag: Math.max(0, Number(end.high) - next) });
        }
      }
    }
    return lags.sort((a, b) => a.topic.localeCompare(b.topic) || a.partition - b.partition);
  }

  async close(): Promise<void> {
    const admin = await this.admin?.catch(() => undefined);
    await admin?.disconnect().catch(() => undefined);
    await Promise.all([...this.consumers].map((c) => c.disconnect().catch(() => undefined)));
    this.consumers.clear();
    await this.producer?.disconnect().catch(() => undefined);
  }
}

function parseEnvelopeOrPoison(raw: string): ReturnType<typeof parseEnvelope> {
  try {
    return parseEnvelope(raw);
  } catch (error) {
    throw new PoisonMessageError(error instanceof Error ? error.message : String(error));
  }
}
