import { Module, type DynamicModule } from '@nestjs/common';
import { ClockModule } from '@fluxnote/clock';
import { isProduction } from '@fluxnote/config';
import { MessagingModule } from '@fluxnote/messaging';
import { DatabaseModule, databaseReady } from '@fluxnote/persistence';
import { ObservabilityModule } from '@fluxnote/telemetry';
import type { SupportConfig } from './config/support.config';
import { InitialSupport1763700000500 } from './migrations/1763700000500-initial-support';

@Module({})
export class SupportModule {
  static forRoot(config: SupportConfig): DynamicModule {
    return {
      module: SupportModule,
      imports: [
        DatabaseModule.forService({
          url: config.DATABASE_URL,
          schema: 'support',
          entities: [],
          migrations: [InitialSupport1763700000500],
        }),
        ClockModule.forRoot({ production: isProduction(config), databaseUrl: config.DATABASE_URL }),
        MessagingModule.forService({
          schema: 'support',
          source: 'fluxnote/support',
          databaseUrl: config.DATABASE_URL,
          kafkaBrokers: config.KAFKA_BROKERS,
          kafkaClientId: `${config.KAFKA_CLIENT_ID}-support`,
        }),
        ObservabilityModule.forRoot({ service: 'support', checks: { database: databaseReady } }),
      ],
    };
  }
}
