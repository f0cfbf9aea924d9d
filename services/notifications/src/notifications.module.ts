import { Module, type DynamicModule } from '@nestjs/common';
import { ClockModule } from '@fluxnote/clock';
import { isProduction } from '@fluxnote/config';
import { MessagingModule } from '@fluxnote/messaging';
import { DatabaseModule, databaseReady } from '@fluxnote/persistence';
import { ObservabilityModule } from '@fluxnote/telemetry';
import type { NotificationsConfig } from './config/notifications.config';
import { FeedEventsConsumer } from './feed/feed.events';
import { FeedGrpcController } from './feed/feed.grpc';
import { FeedService } from './feed/feed.service';
import { NotificationEntity } from './feed/notification.entity';
import { InitialNotifications1763700000300 } from './migrations/1763700000300-initial-notifications';

@Module({})
export class NotificationsModule {
  static forRoot(config: NotificationsConfig): DynamicModule {
    return {
      module: NotificationsModule,
      imports: [
        DatabaseModule.forService({
          url: config.DATABASE_URL,
          schema: 'notifications',
          entities: [NotificationEntity],
          migrations: [InitialNotifications1763700000300],
        }),
        ClockModule.forRoot({ production: isProduction(config), databaseUrl: config.DATABASE_URL }),
        MessagingModule.forService({
          schema: 'notifications',
          source: 'fluxnote/notifications',
          databaseUrl: config.DATABASE_URL,
          kafkaBrokers: config.KAFKA_BROKERS,
          kafkaClientId: `${config.KAFKA_CLIENT_ID}-notifications`,
        }),
        ObservabilityModule.forRoot({
          service: 'notifications',
          checks: { database: databaseReady },
        }),
      ],
      controllers: [FeedGrpcController],
      providers: [FeedService, FeedEventsConsumer],
    };
  }
}
