import './instrument';
import { loadConfigOrExit } from '@fluxnote/config';
import { bootstrapService, notificationServiceSpecs } from '@fluxnote/grpc';
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
    grpc: Object.values(notificationServiceSpecs),
    config,
  });
}

void main();
