import type { EventEnvelope } from './envelope';

export interface OutgoingEvent {
  topic: string;
  key: string;
  envelope: EventEnvelope;
}

/** What a consumer's handler did with one delivery, for the transport to act on. */
export type DeliveryHandler = (envelope: EventEnvelope) => Promise<void>;

export interface SubscriptionOptions {
  /** Consumer group: each event of a topic reaches one member of each group. */
  group: string;
  topics: string[];
  handle: DeliveryHandler;
  /**
   * Optional: handles a run of events at once (all or nothing): one partition's, or the runs of
   * several partitions one after another, each in its order. Transports that use it fall back
   * to `handle`, one by one, when it fails.
   */
  handleBatch?: (envelopes: EventEnvelope[]) => Promise<void>;
  /** Deliveries of one event before it goes to the dead letter (default 5). */
  maxAttempts?: number;
  /** First retry delay; doubles each attempt (default 200 ms). */
  retryBaseMs?: number;
  /** Told of each message this group dead-lettered, once it is stored (the service counts them). */
  onDeadLetter?: (topic: string) => void;
}

/** How many events of one partition a group has not handled yet. */
export interface PartitionLag {
  topic: string;
  partition: number;
  lag: number;
}

export interface Subscription {
  stop(): Promise<void>;
}

/**
 * The event bus port. Two adapters: the embedded bus on Postgres and Kafka.
 * Both deliver at least once, in order per key, with retry and dead letter.
 */
export abstract class EventTransport {
  abstract readonly kind: 'embedded' | 'kafka';
  abstract publish(events: OutgoingEvent[]): Promise<void>;
  abstract subscribe(options: SubscriptionOptions): Promise<Subscription>;
  /** How far `group` is behind on each partition of `topics` (all of them, before it started). */
  abstract consumerLag(group: string, topics: string[]): Promise<PartitionLag[]>;
  abstract close(): Promise<void>;
}

/** A message that can never be handled (malformed, unknown schema): skip retries, dead-letter at once. */
export class PoisonMessageError extends Error {
  override readonly name = 'PoisonMessageError';
}

export function retryDelayMs(attempt: number, baseMs: number): number {
  return Math.min(baseMs * 2 ** Math.max(0, attempt - 1), 30_000);
}
