import { Counter, Gauge, type Registry } from 'prom-client';
import type { PartitionLag } from './transport';

/** What the outbox holds that no relay has published yet. */
export interface OutboxBacklog {
  events: number;
  /** Age of the oldest of them; 0 when there are none. */
  oldestSeconds: number;
}

/** The names the alerts of the chart's PrometheusRule read. */
export const messagingMetricNames = {
  deadLetters: 'fluxnote_dead_letters_total',
  outboxBacklog: 'fluxnote_outbox_backlog_events',
  outboxOldest: 'fluxnote_outbox_oldest_event_age_seconds',
  consumerLag: 'fluxnote_consumer_lag_events',
} as const;

/**
 * The event bus's numbers on a service's registry: dead letters counted as each is written
 * (`fluxnote_dead_letters_total`, by topic and group, on either transport) and the outbox's
 * backlog read at each scrape (`fluxnote_outbox_backlog_events`,
 * `fluxnote_outbox_oldest_event_age_seconds`). The alerts of the chart's PrometheusRule read them.
 */
export class MessagingMetrics {
  private static readonly byRegistry = new WeakMap<Registry, MessagingMetrics>();

  /** One per registry: the metrics are registered once, whatever creates them. */
  static of(registry: Registry): MessagingMetrics {
    let metrics = MessagingMetrics.byRegistry.get(registry);
    if (!metrics) {
      metrics = new MessagingMetrics(registry);
      MessagingMetrics.byRegistry.set(registry, metrics);
    }
    return metrics;
  }

  private readonly deadLetters: Counter<'topic' | 'group'>;
  private readonly backlogs = new Map<string, () => Promise<OutboxBacklog>>();
  private readonly lags = new Map<string, () => Promise<PartitionLag[]>>();
  private readonly backlogGauges: Gauge<'schema'>[];

  private constructor(registry: Registry) {
    this.deadLetters = new Counter({
      name: messagingMetricNames.deadLetters,
      help: 'Messages a consumer group gave up on and dead-lettered',
      labelNames: ['topic', 'group'] as const,
      registers: [registry],
    });
    // A read that fails (the database or the broker away) leaves its series out of this scrape;
    // the rest of /metrics still answers.
    const read = (): Promise<[string, OutboxBacklog][]> => settled(this.backlogs);
    const events = new Gauge({
      name: messagingMetricNames.outboxBacklog,
      help: 'Events written to the outbox and not yet published',
      labelNames: ['schema'] as const,
      registers: [registry],
      collect: async function (this: Gauge<'schema'>) {
        for (const [schema, backlog] of await read()) {
          this.set({ schema }, backlog.events);
        }
      },
    });
    const age = new Gauge({
      name: messagingMetricNames.outboxOldest,
      help: 'How long the oldest unpublished outbox event has waited',
      labelNames: ['schema'] as const,
      registers: [registry],
      collect: async function (this: Gauge<'schema'>) {
        for (const [schema, backlog] of await read()) {
          this.set({ schema }, backlog.oldestSeconds);
        }
      },
    });
    this.backlogGauges = [events, age];
    const lags = this.lags;
    new Gauge({
      name: messagingMetricNames.consumerLag,
      help: 'Events of a partition its consumer group has not handled yet',
      labelNames: ['group', 'topic', 'partition'] as const,
      registers: [registry],
      collect: async function (this: Gauge<'group' | 'topic' | 'partition'>) {
        this.reset();
        for (const [group, partitions] of await settled(lags)) {
          for (const { topic, partition, lag } of partitions) {
            this.set({ group, topic, partition: String(partition) }, lag);
          }
        }
      },
    });
  }

  deadLettered(topic: string, group: string): void {
    this.deadLetters.inc({ topic, group });
  }

  /** Reads `group`'s lag at each scrape, until the returned function is called. */
  trackConsumer(group: string, query: () => Promise<PartitionLag[]>): () => void {
    this.lags.set(group, query);
    return () => this.lags.delete(group);
  }

  /** Reads `schema`'s backlog at each scrape, until the returned function is called. */
  trackOutbox(schema: string, query: () => Promise<OutboxBacklog>): () => void {
    this.backlogs.set(schema, query);
    return () => {
      this.backlogs.delete(schema);
      for (const gauge of this.backlogGauges) {
        gauge.remove({ schema });
      }
    };
  }
}

/** The answers of the reads that succeeded, by key. */
async function settled<T>(reads: Map<string, () => Promise<T>>): Promise<[string, T][]> {
  const results = await Promise.allSettled(
    [...reads].map(async ([key, read]) => [key, await read()] as [string, T]),
  );
  return results.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
}
