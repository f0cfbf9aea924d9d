import {
  Inject,
  Injectable,
  Logger,
  Module,
  type BeforeApplicationShutdown,
  type DynamicModule,
  type OnApplicationBootstrap,
} from '@nestjs/common';
import { DiscoveryModule, DiscoveryService } from '@nestjs/core';
import { DataSource } from 'typeorm';
import { EventRouter } from '../core/event-router';
import { MessagingMetrics } from '../core/messaging-metrics';
import { Outbox, outboxBacklog } from '../core/outbox';
import { OutboxRelay } from '../core/outbox-relay';
import { EventTransport, type Subscription } from '../core/transport';
import { PgEventBus } from '../embedded/pg-event-bus';
import type { KafkaSecurity } from '@fluxnote/config';
import { metricsRegistry } from '@fluxnote/telemetry';
import { KafkaEventTransport } from '../kafka/kafka-event-transport';
import type { KafkaLog } from '../kafka/kafka-log';

export interface MessagingOptions {
  /** The service's schema (outbox and inbox tables live there). */
  schema: string;
  /** CloudEvents `source`, e.g. `fluxnote/billing`. */
  source: string;
  databaseUrl: string;
  /** Comma-separated brokers; when absent the embedded bus on Postgres is used. */
  kafkaBrokers?: string;
  kafkaClientId: string;
  kafkaSecurity?: KafkaSecurity;
}

/**
 * A service's event consumer group. Subclasses are ordinary providers of the
 * service; the messaging module finds them and subscribes them at start.
 */
export abstract class EventConsumer {
  abstract readonly group: string;
  abstract register(router: EventRouter): void;
}

export function createEventTransport(
  options: Pick<
    MessagingOptions,
    'databaseUrl' | 'kafkaBrokers' | 'kafkaClientId' | 'kafkaSecurity'
  >,
  onError: (error: unknown, context: string) => void,
  log?: KafkaLog,
): EventTransport {
  if (options.kafkaBrokers) {
    return new KafkaEventTransport({
      brokers: options.kafkaBrokers.split(',').map((b) => b.trim()),
      clientId: options.kafkaClientId,
      security: options.kafkaSecurity,
      onError,
      log,
    });
  }
  return new PgEventBus({ databaseUrl: options.databaseUrl, onError });
}

/** The Kafka client's log lines at their own level in the service's logger. */
function logToNest(logger: Logger): KafkaLog {
  return (level, line) => {
    if (level === 'info') {
      logger.log(line);
    } else {
      logger[level](line);
    }
  };
}

const MESSAGING_OPTIONS = Symbol('MESSAGING_OPTIONS');

@Injectable()
class MessagingLifecycle implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger('Messaging');
  private relay: OutboxRelay | undefined;
  private readonly subscriptions: Subscription[] = [];
  private readonly untrack: (() => void)[] = [];

  constructor(
    @Inject(MESSAGING_OPTIONS) private readonly options: MessagingOptions,
    private readonly transport: EventTransport,
    private readonly dataSource: DataSource,
    private readonly discovery: DiscoveryService,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    this.relay = new OutboxRelay({
      dataSource: this.dataSource,
      schema: this.options.schema,
      transport: this.transport,
      onError: (error) => this.logger.error(`outbox relay: ${String(error)}`),
    });
    await this.relay.start();
    const metrics = MessagingMetrics.of(metricsRegistry);
    this.untrack.push(
      metrics.trackOutbox(this.options.schema, () =>
        outboxBacklog(this.dataSource, this.options.schema),
      ),
    );
    const consumers = this.discovery
      .getProviders()
      .map((wrapper) => wrapper.instance as unknown)
      .filter((instance): instance is EventConsumer => instance instanceof EventConsumer);
    for (const consumer of consumers) {
      const router = new EventRouter(consumer.group, this.dataSource, this.options.schema);
      consumer.register(router);
      this.subscriptions.push(
        await this.transport.subscribe({
          group: consumer.group,
          topics: router.topics,
          handle: router.deliver,
          handleBatch: router.deliverBatch,
          onDeadLetter: (topic) => metrics.deadLettered(topic, consumer.group),
        }),
      );
      this.untrack.push(
        metrics.trackConsumer(consumer.group, () =>
          this.transport.consumerLag(consumer.group, router.topics),
        ),
      );
      this.logger.log(
        `consumer group ${consumer.group} subscribed to ${router.topics.join(', ')} (${this.transport.kind})`,
      );
    }
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.untrack.splice(0).forEach((untrack) => untrack());
    await Promise.all(this.subscriptions.map((s) => s.stop()));
    await this.relay?.stop();
    await this.transport.close();
  }
}

@Module({})
export class MessagingModule {
  static forService(options: MessagingOptions): DynamicModule {
    const logger = new Logger('EventTransport');
    return {
      module: MessagingModule,
      global: true,
      imports: [DiscoveryModule],
      providers: [
        { provide: MESSAGING_OPTIONS, useValue: options },
        {
          provide: EventTransport,
          useFactory: () =>
            createEventTransport(
              options,
              (error, context) => logger.error(`${context}: ${String(error)}`),
              logToNest(new Logger('Kafka')),
            ),
        },
        { provide: Outbox, useValue: new Outbox(options.schema, options.source) },
        MessagingLifecycle,
      ],
      exports: [Outbox, EventTransport],
    };
  }
}
