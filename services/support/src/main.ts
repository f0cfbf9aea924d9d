import './instrument';
import { loadConfigOrExit } from '@fluxnote/config';
import { supportV1 } from '@fluxnote/contracts';
import { bootstrapService } from '@fluxnote/grpc';
import {
  isDeadLettersCommand,
  isMigrateCommand,
  runDeadLetters,
  runMigrations,
} from '@fluxnote/platform';
import { supportConfigSchema } from './config/support.config';
import { SupportModule } from './support.module';
import { supportDatabase } from './support.database';

async function main(): Promise<void> {
  const config = loadConfigOrExit(supportConfigSchema, 'support');
  if (isMigrateCommand()) {
    return runMigrations(supportDatabase, config);
  }
  if (isDeadLettersCommand()) {
    return runDeadLetters(config);
  }
  await bootstrapService({
    name: 'support',
    module: SupportModule.forRoot(config),
    grpc: [
      {
        package: supportV1.protobufPackage,
        file: supportV1.protobufFileName,
        service: supportV1.SUPPORT_SERVICE_NAME,
      },
    ],
    config,
  });
}

void main();
