import type { ServiceDatabase } from '@fluxnote/platform';
import { JobEntity } from './jobs/job.entity';
import { JobLogEntity } from './jobs/job-log.entity';
import { InitialGeneration1763700000200 } from './migrations/1763700000200-initial-generation';
import { AccountStanding1764200000200 } from './migrations/1764200000200-account-standing';
import { Incidents1764300000200 } from './migrations/1764300000200-incidents';
import { FailureSignals1764300000600 } from './migrations/1764300000600-failure-signals';
import { Staff1764300000900 } from './migrations/1764300000900-staff';
import { PromptApprovals1764400000100 } from './migrations/1764400000100-prompt-approvals';
import { JobShares1764400000500 } from './migrations/1764400000500-job-shares';
import { JobEvents1764400000600 } from './migrations/1764400000600-job-events';
import { ProviderTasks1764500000100 } from './migrations/1764500000100-provider-tasks';
import { FairTurns1764600000100 } from './migrations/1764600000100-fair-turns';
import { Likenesses1764600000200 } from './migrations/1764600000200-likenesses';
import { InputImage1764600000300 } from './migrations/1764600000300-input-image';
import { JobEventsAfterCommit1764600000400 } from './migrations/1764600000400-job-events-after-commit';
import { SimulatorModelEntity } from './simulator/simulator-model.entity';

/** The generation schema: its tables and the migrations that build them (used at start and by `main.js migrate`). */
export const generationDatabase: ServiceDatabase = {
  service: 'generation',
  entities: [JobEntity, JobLogEntity, SimulatorModelEntity],
  migrations: [
    InitialGeneration1763700000200,
    AccountStanding1764200000200,
    Incidents1764300000200,
    FailureSignals1764300000600,
    Staff1764300000900,
    PromptApprovals1764400000100,
    JobShares1764400000500,
    JobEvents1764400000600,
    ProviderTasks1764500000100,
    FairTurns1764600000100,
    Likenesses1764600000200,
    InputImage1764600000300,
    JobEventsAfterCommit1764600000400,
  ],
};
