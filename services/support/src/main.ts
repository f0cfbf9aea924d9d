import './instrument';
import { loadConfigOrExit } from '@fluxnote/config';
import { bootstrapService } from '@fluxnote/grpc';
import { supportConfigSchema } from './config/support.config';
import { SupportModule } from './support.module';

async function main(): Promise<void> {
  const config = loadConfigOrExit(supportConfigSchema, 'support');
  await bootstrapService({
    name: 'support',
    module: SupportModule.forRoot(config),
    grpc: [],
    config,
  });
}

void main();
