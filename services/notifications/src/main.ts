import './instrument';
import { loadConfigOrExit } from '@fluxnote/config';
import { notificationsV1 } from '@fluxnote/contracts';
import { bootstrapService } from '@fluxnote/grpc';
import { notificationsConfigSchema } from './config/notifications.config';
import { NotificationsModule } from './notifications.module';

async function main(): Promise<void> {
  const config = loadConfigOrExit(notificationsConfigSchema, 'notifications');
  await bootstrapService({
    name: 'notifications',
    module: NotificationsModule.forRoot(config),
    grpc: [
      {
        package: notificationsV1.protobufPackage,
        file: notificationsV1.protobufFileName,
        service: notificationsV1.NOTIFICATIONS_SERVICE_NAME,
      },
    ],
    config,
  });
}

void main();
