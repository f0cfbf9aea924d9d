import type { DynamicModule } from '@nestjs/common';
import { ClockModule } from '@fluxnote/clock';
import { isProduction, kafkaSecurity, type BaseConfig } from '@fluxnote/config';
import { MessagingModule } from '@fluxnote/messaging';
import { DatabaseModule, databaseReady } from '@fluxnote/persistence';
import { ObservabilityModule, type ReadinessCheck } from '@fluxnote/telemetry';
import type { ServiceDatabase } from './migrate-command';

export interface ServiceInfrastructureOptions extends ServiceDatabase {
  config: BaseConfig & { DATABASE_URL: string };
  /** Outbox, relay and consumers (default on). */
  messaging?: boolean;
  /** Readiness checks besides the database. */
  checks?: Record<string, ReadinessCheck>;
  /** Services it calls: reported by `/readyz`, never making this one unready. */
  dependencies?: Record<string, ReadinessCheck>;
  /** `/metrics` served on a port of its own (a service whose HTTP port is public). */
  metricsApart?: boolean;
}

/**
 * What every service stands on, wired one way: its migrated schema, the
 * platform clock, the event bus (embedded or Kafka), and health/metrics.
 */
export function serviceInfrastructure(options: ServiceInfrastructureOptions): DynamicModule[] {
  const { service, config } = options;
  return [
    DatabaseModule.forService({
      url: config.DATABASE_URL,
      schema: service,
      entities: options.entities,
      migrations: options.migrations,
      migrate: config.MIGRATIONS_AT_START,
    }),
    ClockModule.forRoot({ production: isProduction(config), databaseUrl: config.DATABASE_URL }),
    ...(options.messaging === false
      ? []
      : [
          MessagingModule.forService({
            schema: service,
            source: `fluxnote/${service}`,
            databaseUrl: config.DATABASE_URL,
            kafkaBrokers: config.KAFKA_BROKERS,
            kafkaClientId: `${config.KAFKA_CLIENT_ID}-${service}`,
            kafkaSecurity: kafkaSecurity(config),
          }),
        ]),
    ObservabilityModule.forRoot({
      service,
      checks: { database: databaseReady, ...options.checks },
      dependencies: options.dependencies,
      metricsApart: options.metricsApart,
    }),
  ];
}
