import './instrument';
import { loadConfigOrExit } from '@fluxnote/config';
import { generationV1 } from '@fluxnote/contracts';
import { bootstrapService } from '@fluxnote/grpc';
import { generationConfigSchema } from './config/generation.config';
import { GenerationModule } from './generation.module';

async function main(): Promise<void> {
  const config = loadConfigOrExit(generationConfigSchema, 'generation');
  await bootstrapService({
    name: 'generation',
    module: GenerationModule.forRoot(config),
    grpc: [
      {
        package: generationV1.protobufPackage,
        file: generationV1.protobufFileName,
        service: generationV1.GENERATION_SERVICE_NAME,
      },
    ],
    config,
  });
}

void main();
