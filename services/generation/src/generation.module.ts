import { Module, type DynamicModule } from '@nestjs/common';
import { ClockModule } from '@fluxnote/clock';
import { isProduction } from '@fluxnote/config';
import { MessagingModule } from '@fluxnote/messaging';
import { DatabaseModule, databaseReady } from '@fluxnote/persistence';
import { ObservabilityModule } from '@fluxnote/telemetry';
import { BillingLedger } from './billing/billing-ledger';
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
      imports: [
        DatabaseModule.forService({
          url: config.DATABASE_URL,
          schema: 'generation',
          entities: [JobEntity, JobLogEntity, SimulatorModelEntity],
          migrations: [InitialGeneration1763700000200],
        }),
        ClockModule.forRoot({ production: isProduction(config), databaseUrl: config.DATABASE_URL }),
        MessagingModule.forService({
          schema: 'generation',
          source: 'fluxnote/generation',
          databaseUrl: config.DATABASE_URL,
          kafkaBrokers: config.KAFKA_BROKERS,
          kafkaClientId: `${config.KAFKA_CLIENT_ID}-generation`,
        }),
        ObservabilityModule.forRoot({ service: 'generation', checks: { database: databaseReady } }),
      ],
      controllers: [JobsGrpcController],
      providers: [
        { provide: GENERATION_CONFIG, useValue: config },
        BillingLedger,
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
