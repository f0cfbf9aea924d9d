import { randomUUID } from 'node:crypto';
import DataLoader from 'dataloader';
import { Client, Pool } from 'pg';
import { PreparedStatement } from '@fluxnote/persistence';
import type { EventEnvelope } from '../core/envelope';
import { partitionFor } from '../core/partition';
import {
  EventTransport,
  PoisonMessageError,
  retryDelayMs,
  type OutgoingEvent,
  type PartitionLag,
  type Subscription,
  type SubscriptionOptions,
} from '../core/transport';
import { BUS_CHANNEL, ensureBusSchema } from './bus-schema';
import { appendEvents, parseWakeMessage } from './pg-append';
import { PartitionLeases } from './partition-leases';

export interface PgEventBusOptions {
  databaseUrl: string;
  /** Partitions of a topic created by this bus (default 8). Fixed once the topic exists. */
  partitions?: number;
  /** Events fetched per partition per round (default 100). */
  fetchSize?: number;
  /** Time without a heartbeat after which a member's partitions move to others (default 10 s). */
  sessionTimeoutMs?: number;
  idlePollMs?: number;
  /** How long a woken consumer lets a burst gather before fetching it (default 5 ms). */
  lingerMs?: number;
  /**
   * How long a consumer that just handled a batch (not a full one) lets the next gather while
   * events keep coming (default 10 ms): a steady stream is taken in fewer, larger batches.
   */
  streamLingerMs?: number;
  onError?: (error: unknown, context: string) => void;
}

/**
 * The embedded event bus: Kafka's model on Postgres. Topics have partitions; a
 * key always maps to one partition whose offsets are dense and commit-ordered;
 * consumer groups share partitions through leases and keep committed offsets;
 * failures retry with backoff, then go to `bus.dead_letters`. LISTEN/NOTIFY
 * wakes consumers as soon as a publish commits.
 */
export class PgEventBus extends EventTransport {
  readonly kind = 'embedded' as const;
  private readonly pool: Pool;
  private readonly knownTopics = new Map<string, number>();
  private readonly subscriptions = new Set<PgSubscription>();
  private ready: Promise<void> | undefined;

  constructor(readonly options: PgEventBusOptions) {
    super();
    this.pool = new Pool({
      connectionString: options.databaseUrl,
      max: 10,
      application_name: 'event-bus',
    });
    this.pool.on('error', (error) => options.onError?.(error, 'pool'));
  }

  private init(): Promise<void> {
    this.ready ??= ensureBusSchema(this.pool);
    return this.ready;
  }

  /** Partition count of a topic, creating the topic on first use. */
  async ensureTopic(topic: string): Promise<number> {
    const known = this.knownTopics.get(topic);
    if (known !== undefined) {
      return known;
    }
    await this.init();
    const wanted = this.options.partitions ?? 8;
    const { rows } = await this.pool.query<{ partitions: number }>(
      `WITH created AS (
         INSERT INTO bus.topics (topic, partitions) VALUES ($1, $2) ON CONFLICT DO NOTHING RETURNING partitions
       ), parts AS (
         INSERT INTO bus.partitions (topic, partition)
         SELECT $1, g FROM created, generate_series(0, created.partitions - 1) g
         ON CONFLICT DO NOTHING
       )
       SELECT partitions FROM created UNION ALL SELECT partitions FROM bus.topics WHERE topic = $1`,
      [topic, wanted],
    );
    const partitions = rows[0]?.partitions ?? wanted;
    this.knownTopics.set(topic, partitions);
    return partitions;
  }

  async publish(events: OutgoingEvent[]): Promise<void> {
    if (events.length === 0) {
      return;
    }
    const partitions: number[] = [];
    for (const event of events) {
      partitions.push(partitionFor(event.key, await this.ensureTopic(event.topic)));
    }
    await appendEvents(this.pool, events, partitions);
  }

  async subscribe(options: SubscriptionOptions): Promise<Subscription> {
    await this.init();
    const partitions = new Map<string, number>();
    for (const topic of options.topics) {
      partitions.set(topic, await this.ensureTopic(topic));
    }
    const subscription = new PgSubscription(this.pool, this.options, options, partitions, () =>
      this.subscriptions.delete(subscription),
    );
    this.subscriptions.add(subscription);
    await subscription.start();
    return subscription;
  }

  async consumerLag(group: string, topics: string[]): Promise<PartitionLag[]> {
    await this.init();
    // A partition's offsets are dense: next_offset − 1 is its last event; committed is the last
    // one the group handled (−1 before the first).
    const { rows } = await this.pool.query<{ topic: string; partition: number; lag: string }>(
      `SELECT p.topic, p.partition, GREATEST(p.next_offset - 1 - COALESCE(o.committed, -1), 0) AS lag
         FROM bus.partitions p
         LEFT JOIN bus.consumer_offsets o
           ON o.group_id = $1 AND o.topic = p.topic AND o.partition = p.partition
        WHERE p.topic = ANY($2::text[])
        ORDER BY p.topic, p.partition`,
      [group, topics],
    );
    return rows.map((r) => ({ topic: r.topic, partition: r.partition, lag: Number(r.lag) }));
  }

  async close(): Promise<void> {
    await Promise.all([...this.subscriptions].map((s) => s.stop()));
    await this.pool.end();
  }
}

// The bus's hot statements, prepared once per connection.
//
/** A commit: the position moves up to `offset` (never back), and any retry state is cleared. */
function committedUpTo(offset: string): string {
  return `committed = greatest(committed, ${offset}::bigint), attempts = 0, retry_at = NULL, last_error = NULL`;
}
interface PositionRow {
  topic: string;
  partition: number;
  committed: string;
  attempts: number;
  offset: string | null;
  envelope: EventEnvelope | null;
}
// Positions of a group's partitions and the events after each (none while a retry waits), in
// one statement for every partition fetching at that moment. Where a request carries the offset
// its partition's last batch reached, the statement commits it first, so a batch costs no
// statement of its own for its offset. That commit does not wait for the disk: losing it in a
// crash only means the batch is delivered again, and the inbox drops it.
const fetchPositions = new PreparedStatement<PositionRow>(
  `WITH req AS (
     SELECT * FROM unnest($2::text[], $3::int[], $4::bigint[]) AS r(topic, partition, reached)
   ), moved AS (
     UPDATE bus.consumer_offsets o SET ${committedUpTo('r.reached')}
       FROM req r
      WHERE o.group_id = $1 AND o.topic = r.topic AND o.partition = r.partition
        AND r.reached IS NOT NULL
        AND set_config('synchronous_commit', 'off', true) IS NOT NULL
     RETURNING o.topic, o.partition, o.committed, o.attempts, o.retry_at
   ), o AS (
     SELECT * FROM moved
     UNION ALL
     SELECT o.topic, o.partition, o.committed, o.attempts, o.retry_at
       FROM bus.consumer_offsets o JOIN req r ON o.topic = r.topic AND o.partition = r.partition
      WHERE o.group_id = $1 AND r.reached IS NULL
   )
   SELECT o.topic, o.partition, o.committed, o.attempts, e."offset", e.envelope
     FROM o LEFT JOIN LATERAL (
       SELECT "offset", envelope FROM bus.events
        WHERE topic = o.topic AND partition = o.partition AND "offset" > o.committed
          AND (o.retry_at IS NULL OR o.retry_at <= now())
        ORDER BY "offset" LIMIT $5
     ) e ON true
    ORDER BY o.topic, o.partition, e."offset"`,
);
const commitPosition = new PreparedStatement(
  `UPDATE bus.consumer_offsets SET ${committedUpTo('$4')}
    WHERE group_id = $1 AND topic = $2 AND partition = $3`,
);

/** A sleeper id no publish names (partition ids hold a NUL): only `stop` cuts it short. */
const UNTIL_STOP = '';

function partitionId(topic: string, partition: number): string {
  return `${topic}\u0000${partition}`;
}

interface FetchedEvent {
  offset: string;
  envelope: EventEnvelope;
}

interface FetchRequest {
  topic: string;
  partition: number;
  /** The offset the partition's last batch reached, to commit with this fetch. */
  reached: string | undefined;
}

/** Gathers what is asked for in one turn of the event loop into one call. */
function gathered<K, V>(
  batch: (keys: readonly K[]) => PromiseLike<ArrayLike<V | Error>>,
): DataLoader<K, V> {
  return new DataLoader(batch, { cache: false, batchScheduleFn: (run) => setImmediate(run) });
}

class PgSubscription implements Subscription {
  private readonly memberId = randomUUID();
  private running = false;
  private listener: Client | undefined;
  /** Sleeping partition loops, by partition id; a publish wakes only its partitions. */
  private readonly wakers = new Map<string, Set<() => void>>();
  private loop: Promise<void> | undefined;
  /** One loop per owned partition, so a slow partition never holds back the others. */
  private readonly partitionLoops = new Map<string, Promise<void>>();
  private readonly leases: PartitionLeases;
  /** Lingers under way, by length: partitions lingering at once wake together. */
  private readonly lingers = new Map<number, Promise<void>>();
  /**
   * The partitions woken together (by one publish, or by lingering together) fetch in one
   * statement and hand their runs to the handler as one batch (one inbox transaction), so a
   * stream spread over many partitions costs per round what one partition's would. Each
   * partition keeps its own loop: one that is busy or waiting to retry holds back no other.
   */
  private readonly fetches = gathered<FetchRequest, PositionRow[]>((requests) =>
    this.fetchTogether(requests),
  );
  private readonly deliveries = gathered<EventEnvelope[], void>((runs) =>
    this.deliverTogether(runs),
  );

  constructor(
    private readonly pool: Pool,
    private readonly busOptions: PgEventBusOptions,
    private readonly options: SubscriptionOptions,
    private readonly partitions: Map<string, number>,
    private readonly onStop: () => void,
  ) {
    this.leases = new PartitionLeases(
      pool,
      options.group,
      this.memberId,
      partitions,
      busOptions.sessionTimeoutMs ?? 10_000,
    );
  }

  async start(): Promise<void> {
    this.running = true;
    this.listener = new Client({
      connectionString: this.busOptions.databaseUrl,
      application_name: `bus-${this.options.group}`,
    });
    this.listener.on('error', (error) => this.busOptions.onError?.(error, 'listener'));
    this.listener.on('notification', (message) => {
      if (message.payload === undefined) {
        return;
      }
      const { topic, partitions } = parseWakeMessage(message.payload);
      if (!this.options.topics.includes(topic)) {
        return;
      }
      // A message naming no partition (an older publisher) wakes every partition of the topic.
      const named =
        partitions.length > 0 ? partitions : [...Array(this.partitions.get(topic)).keys()];
      for (const partition of named) {
        this.wake(partitionId(topic, partition));
      }
    });
    await this.listener.connect();
    await this.listener.query(`LISTEN ${BUS_CHANNEL}`);
    for (const [topic, count] of this.partitions) {
      await this.pool.query(
        `INSERT INTO bus.consumer_offsets (group_id, topic, partition)
         SELECT $1, $2, g FROM generate_series(0, $3::int - 1) g ON CONFLICT DO NOTHING`,
        [this.options.group, topic, count],
      );
    }
    await this.leases.join();
    this.loop = this.run();
  }

  async stop(): Promise<void> {
    if (!this.running) {
      return;
    }
    this.running = false;
    this.wakeAll();
    await this.loop;
    await Promise.all(this.partitionLoops.values());
    await this.leases.leave().catch(() => undefined);
    await this.listener?.end().catch(() => undefined);
    this.onStop();
  }

  private wakeAll(): void {
    for (const id of [...this.wakers.keys()]) {
      this.wake(id);
    }
  }

  private wake(id: string): void {
    for (const wake of [...(this.wakers.get(id) ?? [])]) {
      wake();
    }
  }

  /** Sleeps up to `ms`, or until a publish to the partition (or `stop`) wakes it. */
  private sleep(id: string, ms: number): Promise<void> {
    return new Promise<void>((resolve) => {
      let sleepers = this.wakers.get(id);
      if (!sleepers) {
        sleepers = new Set();
        this.wakers.set(id, sleepers);
      }
      const done = (): void => {
        clearTimeout(timer);
        sleepers.delete(done);
        if (sleepers.size === 0 && this.wakers.get(id) === sleepers) {
          this.wakers.delete(id);
        }
        resolve();
      };
      const timer = setTimeout(done, ms);
      sleepers.add(done);
    });
  }

  private get fetchSize(): number {
    return this.busOptions.fetchSize ?? 100;
  }

  /** Waits `ms` (or until `stop`) with the partitions lingering meanwhile, on one timer. */
  private linger(ms: number): Promise<void> {
    let gate = this.lingers.get(ms);
    if (!gate) {
      gate = this.sleep(UNTIL_STOP, ms).then(() => {
        this.lingers.delete(ms);
      });
      this.lingers.set(ms, gate);
    }
    return gate;
  }

  private async fetchTogether(requests: readonly FetchRequest[]): Promise<PositionRow[][]> {
    const rows = await fetchPositions.run(this.pool, [
      this.options.group,
      requests.map((r) => r.topic),
      requests.map((r) => r.partition),
      requests.map((r) => r.reached ?? null),
      this.fetchSize,
    ]);
    const byPartition = new Map<string, PositionRow[]>();
    for (const row of rows) {
      const id = partitionId(row.topic, row.partition);
      const partitionRows = byPartition.get(id);
      if (partitionRows) {
        partitionRows.push(row);
      } else {
        byPartition.set(id, [row]);
      }
    }
    return requests.map((r) => byPartition.get(partitionId(r.topic, r.partition)) ?? []);
  }

  /** The runs of the partitions handled at once, one after another in one batch: all or none. */
  private async deliverTogether(runs: readonly EventEnvelope[][]): Promise<(void | Error)[]> {
    try {
      await this.options.handleBatch!(runs.flat());
      return runs.map(() => undefined);
    } catch (error) {
      const failed = error instanceof Error ? error : new Error(String(error));
      return runs.map(() => failed);
    }
  }

  /** Keeps the leases fresh and a loop running for each partition this member holds. */
  private async run(): Promise<void> {
    while (this.running) {
      try {
        for (const { topic, partition } of await this.leases.refresh()) {
          const id = partitionId(topic, partition);
          if (!this.partitionLoops.has(id)) {
            this.partitionLoops.set(
              id,
              this.partitionLoop(topic, partition).finally(() => this.partitionLoops.delete(id)),
            );
          }
        }
      } catch (error) {
        this.busOptions.onError?.(error, `consumer ${this.options.group} leases`);
      }
      if (this.running) {
        await this.sleep(UNTIL_STOP, this.leases.heartbeatMs);
      }
    }
  }

  private async partitionLoop(topic: string, partition: number): Promise<void> {
    const idle = Math.min(this.busOptions.idlePollMs ?? 1000, this.leases.heartbeatMs);
    // The offset reached by the last batch, committed by the next fetch.
    let reached: string | undefined;
    while (this.running && this.leases.owns(topic, partition)) {
      let handled = false;
      let full = false;
      try {
        ({ handled, full, reached } = await this.drainPartition(topic, partition, reached));
      } catch (error) {
        // `reached` stays: the next fetch commits it (committing twice moves nothing).
        this.busOptions.onError?.(error, `consumer ${this.options.group}`);
      }
      if (!this.running) {
        break;
      }
      if (!handled) {
        await this.sleep(partitionId(topic, partition), idle);
      }
      // Woken by a publish, or done with a batch: let the rest of the burst (or of the stream)
      // arrive and take it as one batch (one inbox transaction) rather than event by event. A
      // full batch goes on at once: more is waiting.
      if (!full) {
        await this.linger(
          handled ? (this.busOptions.streamLingerMs ?? 10) : (this.busOptions.lingerMs ?? 5),
        );
      }
    }
    if (reached !== undefined) {
      // Stopping, or the partition moved to another member, right after a batch.
      await this.commit(topic, partition, reached).catch((error: unknown) =>
        this.busOptions.onError?.(error, `consumer ${this.options.group}`),
      );
    }
  }

  /**
   * Commits `reached` (the end of the batch before) and handles the next events of one
   * partition in order. `handled`: it handled any; `full`: it fetched all it may take at
   * once; `reached`: the offset to commit next.
   */
  private async drainPartition(
    topic: string,
    partition: number,
    reached: string | undefined,
  ): Promise<{ handled: boolean; full: boolean; reached: string | undefined }> {
    const { group } = this.options;
    const fetched = await this.fetches.load({ topic, partition, reached });
    const rows: FetchedEvent[] = fetched.flatMap((r) =>
      r.offset !== null && r.envelope !== null ? [{ offset: r.offset, envelope: r.envelope }] : [],
    );
    const current = fetched[0];
    if (rows.length === 0) {
      return { handled: false, full: false, reached: undefined };
    }
    const goOn = (): boolean => this.running && this.leases.owns(topic, partition);
    const full = rows.length === this.fetchSize;
    if (current.attempts === 0 && this.options.handleBatch) {
      try {
        await this.deliveries.load(rows.map((r) => r.envelope));
        return { handled: goOn(), full, reached: rows[rows.length - 1].offset };
      } catch {
        // Some event of the batch failed: all of it was rolled back; deliver this partition's
        // run one by one below.
      }
    }
    let attempts = current.attempts;
    // The offset a batch reached is committed by the next fetch (and at once before any retry
    // wait or dead letter): a crash redelivers at most this batch, and the consumers' inbox
    // drops what was already handled.
    let handledUpTo: string | undefined;
    for (const row of rows) {
      if (!goOn()) {
        break;
      }
      try {
        await this.options.handle(row.envelope);
        attempts = 0;
        handledUpTo = row.offset;
      } catch (error) {
        if (handledUpTo !== undefined) {
          await this.commit(topic, partition, handledUpTo);
          handledUpTo = undefined;
        }
        attempts++;
        const maxAttempts = this.options.maxAttempts ?? 5;
        const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
        if (error instanceof PoisonMessageError || attempts >= maxAttempts) {
          await this.deadLetter(topic, partition, row, message, attempts);
          attempts = 0;
          continue;
        }
        const delay = retryDelayMs(attempts, this.options.retryBaseMs ?? 200);
        await this.pool.query(
          `UPDATE bus.consumer_offsets SET attempts = $4, retry_at = now() + ($5::int * interval '1 millisecond'), last_error = $6
            WHERE group_id = $1 AND topic = $2 AND partition = $3`,
          [group, topic, partition, attempts, delay, message],
        );
        setTimeout(() => this.wake(partitionId(topic, partition)), delay + 5).unref();
        return { handled: false, full: false, reached: undefined };
      }
    }
    return { handled: goOn(), full, reached: handledUpTo };
  }

  private async commit(topic: string, partition: number, offset: string): Promise<void> {
    await commitPosition.run(this.pool, [this.options.group, topic, partition, offset]);
  }

  private async deadLetter(
    topic: string,
    partition: number,
    row: FetchedEvent,
    error: string,
    attempts: number,
  ): Promise<void> {
    const client = await this.pool.connect();
    try {
      await client.query('BEGIN');
      await client.query(
        `INSERT INTO bus.dead_letters (group_id, topic, partition, "offset", event_id, envelope, error, attempts)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
        [
          this.options.group,
          topic,
          partition,
          row.offset,
          row.envelope.id,
          JSON.stringify(row.envelope),
          error,
          attempts,
        ],
      );
      await commitPosition.run(client, [this.options.group, topic, partition, row.offset]);
      await client.query('COMMIT');
      this.options.onDeadLetter?.(topic);
    } catch (e) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw e;
    } finally {
      client.release();
    }
  }
}
