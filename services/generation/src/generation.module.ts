import { Logger, Module, type DynamicModule } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { CoalescedNotifier } from '@fluxnote/persistence';
import {
  accountsDirectoryProvider,
  accountStandingProviders,
  serviceInfrastructure,
  userPurgeProviders,
} from '@fluxnote/platform';
import { generationDatabase } from './generation.database';
import { BillingLedger } from './billing/billing-ledger';
import { CatalogService } from './catalog/catalog.service';
import { GENERATION_CONFIG, type GenerationConfig } from './config/generation.config';
import { IncidentsService } from './incidents/incidents.service';
import { StaffRoles } from './staff/staff-roles';
import { FailureSignals } from './jobs/failure-signals';
import { JobSettlement } from './jobs/job-settlement';
import { CatalogGrpcController } from './catalog/catalog.grpc';
import { IncidentsGrpcController } from './incidents/incidents.grpc';
import { JobsGrpcController } from './jobs/jobs.grpc';
import { LikenessesGrpcController } from './likenesses/likenesses.grpc';
import { ProvidersGrpcController } from './providers/providers.grpc';
import { PromptReviewGrpcController } from './safety/prompt-review.grpc';
import { JobsService } from './jobs/jobs.service';
import { SubmitJobUseCase } from './jobs/use-cases/submit-job.use-case';
import { HttpModelProvider } from './providers/http-model-provider';
import { ModelProviders } from './providers/model-providers';
import { ProviderWebhooks } from './providers/provider-webhooks';
import { PromptSafetyCheck, RuleBasedSafetyCheck } from './safety/prompt-safety';
import { PromptApprovals } from './safety/prompt-approvals';
import { JobControls } from './jobs/job-controls';
import { JobStatusStream } from './jobs/job-status-stream';
import { Likenesses } from './likenesses/likenesses';
import { JobQueue } from './jobs/job-queue';
import { QueueMetrics } from './jobs/generation-metrics';
import { ModelSimulator } from './simulator/model-simulator';
import { JobRecovery } from './workers/job-recovery';
import { JobWorker } from './workers/job-worker';

/** Account deletion: every row this service holds for a user, in an order its foreign keys allow. */
const purgeStatements = [
  `DELETE FROM generation.prompt_approvals WHERE user_id = $1`,
  `UPDATE generation.prompt_approvals SET agent_id = NULL WHERE agent_id = $1`,
  `DELETE FROM generation.job_logs WHERE job_id IN (SELECT id FROM generation.jobs WHERE user_id = $1)`,
  `DELETE FROM generation.jobs WHERE user_id = $1`,
  // voice samples and face photos, destroyed (after the jobs that named them)
  `DELETE FROM generation.likenesses WHERE user_id = $1`,
  `DELETE FROM generation.account_standing WHERE user_id = $1`,
  `UPDATE generation.incidents SET declared_by = NULL WHERE declared_by = $1`,
  `DELETE FROM generation.staff WHERE user_id = $1`,
];

@Module({})
export class GenerationModule {
  static forRoot(config: GenerationConfig): DynamicModule {
    return {
      module: GenerationModule,
      imports: serviceInfrastructure({
        ...generationDatabase,
        config,
      }),
      controllers: [
        JobsGrpcController,
        CatalogGrpcController,
        LikenessesGrpcController,
        PromptReviewGrpcController,
        IncidentsGrpcController,
        ProvidersGrpcController,
      ],
      providers: [
        ...userPurgeProviders('generation', purgeStatements),
        ...accountStandingProviders('generation'),
        accountsDirectoryProvider(config),
        { provide: GENERATION_CONFIG, useValue: config },
        BillingLedger,
        CatalogService,
        ModelSimulator,
        HttpModelProvider,
        ModelProviders,
        ProviderWebhooks,
        SubmitJobUseCase,
        { provide: PromptSafetyCheck, useClass: RuleBasedSafetyCheck },
        PromptApprovals,
        Likenesses,
        JobControls,
        JobStatusStream,
        {
          provide: CoalescedNotifier,
          inject: [DataSource],
          useFactory: (dataSource: DataSource) =>
            new CoalescedNotifier(dataSource, (error) =>
              new Logger('CoalescedNotifier').warn(`a wake-up was not sent: ${String(error)}`),
            ),
        },
        JobQueue,
        QueueMetrics,
        JobsService,
        IncidentsService,
        StaffRoles,
        JobSettlement,
        FailureSignals,
        JobWorker,
        JobRecovery,
      ],
    };
  }
}
