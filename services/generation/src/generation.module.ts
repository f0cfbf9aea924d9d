import { Module, type DynamicModule } from '@nestjs/common';
import { serviceInfrastructure } from '@fluxnote/platform';
import { BillingLedger } from './billing/billing-ledger';
import { CatalogService } from './catalog/catalog.service';
import { GENERATION_CONFIG, type GenerationConfig } from './config/generation.config';
import { JobEntity } from './jobs/job.entity';
import { JobLogEntity } from './jobs/job-log.entity';
import { JobSettlement } from './jobs/job-settlement';
import { JobsGrpcController } from './jobs/jobs.grpc';
import { JobsService } from './jobs/jobs.service';
import { SubmitJobUseCase } from './jobs/use-cases/submit-job.use-case';
import { InitialGeneration1763700000200 } from './migrations/1763700000200-initial-generation';
import { ModelProvider } from './providers/model-provider';
import { ModelSimulator } from './simulator/model-simulator';
import { SimulatorModelEntity } from './simulator/simulator-model.entity';
import { JobRecovery } from './workers/job-recovery';
import { JobWorker } from './workers/job-worker';

@Module({})
export class GenerationModule {
  static forRoot(config: GenerationConfig): DynamicModule {
    return {
      module: GenerationModule,
      imports: serviceInfrastructure({
        service: 'generation',
        config,
        entities: [JobEntity, JobLogEntity, SimulatorModelEntity],
        migrations: [InitialGeneration1763700000200],
      }),
      controllers: [JobsGrpcController],
      providers: [
        { provide: GENERATION_CONFIG, useValue: config },
        BillingLedger,
        CatalogService,
        ModelSimulator,
        { provide: ModelProvider, useExisting: ModelSimulator },
        SubmitJobUseCase,
        JobsService,
        JobSettlement,
        JobWorker,
        JobRecovery,
      ],
    };
  }
}
