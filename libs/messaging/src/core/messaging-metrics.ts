import { Counter, type Registry } from 'prom-client';
import { coalesced, ScrapedGauge } from '@fluxnote/telemetry';
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
  private readonly backlogEvents: ScrapedGauge<'schema'>;
  private readonly backlogAge: ScrapedGauge<'schema'>;
  private readonly lag: ScrapedGauge<'group' | 'topic' | 'partition'>;

  private constructor(registry: Registry) {
    this.deadLetters = new Counter({
      name: messagingMetricNames.deadLetters,
      help: 'Messages a consumer group gave up on and dead-lettered',
      labelNames: ['topic', 'group'] as const,
      registers: [registry],
    });
    this.backlogEvents = ScrapedGauge.on(registry, {
      name: messagingMetricNames.outboxBacklog,
      help: 'Events written to the outbox and not yet published',
      labelNames: ['schema'] as const,
    });
    this.backlogAge = ScrapedGauge.on(registry, {
      name: messagingMetricNames.outboxOldest,
      help: 'How long the oldest unpublished outbox event has waited',
      labelNames: ['schema'] as const,
    });
    this.lag = ScrapedGauge.on(registry, {
      name: messagingMetricNames.consumerLag,
      help: 'Events of a partition its consumer group has not handled yet',
      labelNames: ['group', 'topic', 'partition'] as const,
    });
  }

  deadLettered(topic: string, group: string): void {
    this.deadLetters.inc({ topic, group });
  }

  /** Reads `group`'s lag at each scrape, until the returned function is called. */
  trackConsumer(group: string, query: () => Promise<PartitionLag[]>): () => void {
    return this.lag.add(async () =>
      (await query()).map(({ topic, partition, lag }) => ({
        labels: { group, topic, partition: String(partition) },
        value: lag,
      })),
    );
  }

  /** Reads `schema`'s backlog at each scrape (one query for both gauges), until stopped. */
  trackOutbox(schema: string, query: () => Promise<OutboxBacklog>): () => void {
    const read = coalesced(query);
    const stops = [
      this.backlogEvents.add(async () => [{ labels: { schema }, value: (await read()).events }]),
      this.backlogAge.add(async () => [
        { labels: { schema }, value: (await read()).oldestSeconds },
      ]),
    ];
    return () => stops.forEach((stop) => stop());
  }
}
