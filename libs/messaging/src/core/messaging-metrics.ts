import { Counter, Gauge, type Registry } from 'prom-client';

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
  private readonly backlogGauges: Gauge<'schema'>[];

  private constructor(registry: Registry) {
    this.deadLetters = new Counter({
      name: messagingMetricNames.deadLetters,
      help: 'Messages a consumer group gave up on and dead-lettered',
      labelNames: ['topic', 'group'] as const,
      registers: [registry],
    });
    const read = (): Promise<[string, OutboxBacklog][]> =>
      Promise.all(
        [...this.backlogs].map(
          async ([schema, query]) => [schema, await query()] as [string, OutboxBacklog],
        ),
      );
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
  }

  deadLettered(topic: string, group: string): void {
    this.deadLetters.inc({ topic, group });
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
