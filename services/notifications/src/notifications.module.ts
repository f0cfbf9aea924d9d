import { Module, type DynamicModule } from '@nestjs/common';
import { serviceInfrastructure } from '@fluxnote/platform';
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
      imports: serviceInfrastructure({
        service: 'notifications',
        config,
        entities: [NotificationEntity],
        migrations: [InitialNotifications1763700000300],
      }),
      controllers: [FeedGrpcController],
      providers: [FeedService, FeedEventsConsumer],
    };
  }
}
