import './instrument';
import { loadConfigOrExit } from '@fluxnote/config';
import { accountServiceSpecs, bootstrapService } from '@fluxnote/grpc';
import {
  isDeadLettersCommand,
  isMigrateCommand,
  runDeadLetters,
  runMigrations,
} from '@fluxnote/platform';
import { AccountsModule } from './accounts.module';
import { accountsConfigSchema } from './config/accounts.config';
import { accountsDatabase } from './accounts.database';

async function main(): Promise<void> {
  const config = loadConfigOrExit(accountsConfigSchema, 'accounts');
  if (isMigrateCommand()) {
    return runMigrations(accountsDatabase, config);
  }
  if (isDeadLettersCommand()) {
    return runDeadLetters(config);
  }
  await bootstrapService({
    name: 'accounts',
    module: AccountsModule.forRoot(config),
    grpc: Object.values(accountServiceSpecs),
    config,
  });
}

void main();
