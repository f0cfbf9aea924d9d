import { Module, type DynamicModule } from '@nestjs/common';
import { serviceInfrastructure } from '@fluxnote/platform';
import { notificationsDatabase } from './notifications.database';
import type { NotificationsConfig } from './config/notifications.config';
import { FeedEventsConsumer } from './feed/feed.events';
import { FeedGrpcController } from './feed/feed.grpc';
import { FeedService } from './feed/feed.service';

@Module({})
export class NotificationsModule {
  static forRoot(config: NotificationsConfig): DynamicModule {
    return {
      module: NotificationsModule,
      imports: serviceInfrastructure({
        ...notificationsDatabase,
        config,
      }),
      controllers: [FeedGrpcController],
      providers: [FeedService, FeedEventsConsumer],
    };
  }
}
