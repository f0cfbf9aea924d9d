import { join } from 'node:path';
import { Module, type DynamicModule } from '@nestjs/common';
import {
  accountsDirectoryProvider,
  SecretOpener,
  serviceInfrastructure,
  userPurgeProviders,
} from '@fluxnote/platform';
import { notificationsDatabase } from './notifications.database';
import { NOTIFICATIONS_CONFIG, type NotificationsConfig } from './config/notifications.config';
import { Broadcasts } from './broadcasts/broadcasts';
import { DeliveryWorker } from './delivery/delivery-worker';
import { FarewellMail } from './delivery/farewell-mail';
import { EmailSender, FileEmailSender, SmtpEmailSender } from './delivery/email-sender';
import { HttpPushSender, LogPushSender, PushSender } from './delivery/push-sender';
import { PushDevices } from './push/push-devices.service';
import { NotificationEventsConsumer } from './delivery/notification.events';
import { Notifier } from './delivery/notifier';
import { DeliveriesGrpcController } from './delivery/deliveries.grpc';
import { FeedGrpcController } from './feed/feed.grpc';
import { PreferencesGrpcController } from './preferences/preferences.grpc';
import { PushDevicesGrpcController } from './push/push-devices.grpc';
import { FeedWaiter } from './feed/feed-waiter';
import { FeedService } from './feed/feed.service';
import { JobsReadyDigest } from './feed/jobs-ready-digest';
import { PreferencesService } from './preferences/preferences.service';

/** Account deletion: every row this service holds for a user, in an order its foreign keys allow. */
const purgeStatements = [
  `DELETE FROM notifications.broadcast_recipients WHERE user_id = $1`,
  `DELETE FROM notifications.deliveries WHERE user_id = $1`,
  `DELETE FROM notifications.notifications WHERE user_id = $1`,
  `DELETE FROM notifications.preferences WHERE user_id = $1`,
  `DELETE FROM notifications.push_devices WHERE user_id = $1`,
  `DELETE FROM notifications.recipients WHERE user_id = $1`,
];

@Module({})
export class NotificationsModule {
  static forRoot(config: NotificationsConfig): DynamicModule {
    return {
      module: NotificationsModule,
      imports: serviceInfrastructure({
        ...notificationsDatabase,
        config,
      }),
      controllers: [
        FeedGrpcController,
        PreferencesGrpcController,
        PushDevicesGrpcController,
        DeliveriesGrpcController,
      ],
      providers: [
        ...userPurgeProviders('notifications', purgeStatements),
        { provide: NOTIFICATIONS_CONFIG, useValue: config },
        {
          provide: SecretOpener,
          useFactory: () =>
            SecretOpener.fromPrivateKeys(
              [config.SEALING_PRIVATE_KEY, config.SEALING_PREVIOUS_PRIVATE_KEY].filter(
                (key): key is string => key !== undefined,
              ),
            ),
        },
        {
          provide: EmailSender,
          useFactory: () =>
            config.SMTP_URL
              ? new SmtpEmailSender(config.SMTP_URL)
              : new FileEmailSender(join(config.DATA_DIR, 'mail')),
        },
        {
          provide: PushSender,
          useFactory: () =>
            config.PUSH_URL && config.PUSH_API_KEY
              ? new HttpPushSender(config.PUSH_URL, config.PUSH_API_KEY)
              : new LogPushSender(),
        },
        PushDevices,
        FeedService,
        FeedWaiter,
        PreferencesService,
        Notifier,
        accountsDirectoryProvider(config),
        NotificationEventsConsumer,
        DeliveryWorker,
        Broadcasts,
        FarewellMail,
        JobsReadyDigest,
      ],
    };
  }
}
