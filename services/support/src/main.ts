import './instrument';
import { loadConfigOrExit } from '@fluxnote/config';
import { bootstrapService, supportServiceSpecs } from '@fluxnote/grpc';
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
    grpc: Object.values(supportServiceSpecs),
    config,
  });
}

void main();
