import './instrument';
import { loadConfigOrExit } from '@fluxnote/config';
import { notificationsV1 } from '@fluxnote/contracts';
import { bootstrapService } from '@fluxnote/grpc';
import {
  isDeadLettersCommand,
  isMigrateCommand,
  runDeadLetters,
  runMigrations,
} from '@fluxnote/platform';
import { notificationsConfigSchema } from './config/notifications.config';
import { NotificationsModule } from './notifications.module';
import { notificationsDatabase } from './notifications.database';

async function main(): Promise<void> {
  const config = loadConfigOrExit(notificationsConfigSchema, 'notifications');
  if (isMigrateCommand()) {
    return runMigrations(notificationsDatabase, config);
  }
  if (isDeadLettersCommand()) {
    return runDeadLetters(config);
  }
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
