import './instrument';
import { loadConfigOrExit } from '@fluxnote/config';
import { bootstrapService, generationServiceSpecs } from '@fluxnote/grpc';
import {
  isDeadLettersCommand,
  isMigrateCommand,
  runDeadLetters,
  runMigrations,
} from '@fluxnote/platform';
import { generationConfigSchema } from './config/generation.config';
import { GenerationModule } from './generation.module';
import { generationDatabase } from './generation.database';

async function main(): Promise<void> {
  const config = loadConfigOrExit(generationConfigSchema, 'generation');
  if (isMigrateCommand()) {
    return runMigrations(generationDatabase, config);
  }
  if (isDeadLettersCommand()) {
    return runDeadLetters(config);
  }
  await bootstrapService({
    name: 'generation',
    module: GenerationModule.forRoot(config),
    grpc: Object.values(generationServiceSpecs),
    config,
  });
}

void main();
