import { Inject, Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { Clock, PeriodicWorker } from '@fluxnote/clock';
import { BillingLedger } from '../billing/billing-ledger';
import { timeLimitMs } from '../catalog/model-catalog';
import { GENERATION_CONFIG, type GenerationConfig } from '../config/generation.config';
import { appendJobLog } from '../jobs/job-log.repository';
import { JobSettlement } from '../jobs/job-settlement';
import { JobControls } from '../jobs/job-controls';
import { ModelProviders } from '../providers/model-providers';
import { recoveryRows } from './recovery.repository';

/** A job still `reserving` after this long lost its submitter (crash or timeout). */
const ABANDONED_RESERVING_MS = 60_000;

/**
 * The safety net that makes crashes harmless: settles recorded outcomes, fails
 * jobs past their model's time limit (the watchdog), takes jobs back from dead
 * workers, and releases holds of submissions that never finished.
 */
@Injectable()
export class JobRecovery extends PeriodicWorker {
  protected readonly intervalMs: number;
  protected override readonly runAtStart = true;

  constructor(
    private readonly dataSource: DataSource,
    private readonly settlement: JobSettlement,
    private readonly ledger: BillingLedger,
    private readonly controls: JobControls,
    private readonly providers: ModelProviders,
    private readonly clock: Clock,
    @Inject(GENERATION_CONFIG) private readonly config: GenerationConfig,
  ) {
    super();
    this.intervalMs = config.RECOVERY_INTERVAL_MS;
  }

  protected pass(): Promise<void> {
    return this.runOnce();
  }

  async runOnce(): Promise<void> {
    await this.settleRecordedOutcomes();
    await this.watchProcessingJobs();
    await this.releaseAbandonedSubmissions();
    await this.releaseCancelledJobs();
  }

  /** Cancelled jobs whose hold could not be released at the time (billing unreachable). */
  private async releaseCancelledJobs(): Promise<void> {
    for (const id of await recoveryRows.unreleasedCancelled(this.dataSource)) {
      await this.controls.releaseCancelled(id);
    }
  }

  private async settleRecordedOutcomes(): Promise<void> {
    for (const id of await recoveryRows.unsettledOutcomes(this.dataSource)) {
      await this.settlement.settle(id);
    }
  }

  private async watchProcessingJobs(): Promise<void> {
    const jobs = await recoveryRows.running(this.dataSource);
    const now = this.clock.now().getTime();
    for (const job of jobs) {
      const limitMs = timeLimitMs(job.model);
      if (now - job.startedAt.getTime() > limitMs) {
        if (
          await this.settlement.recordOutcome(job.id, job.attempts, {
            status: 'failed',
            reason: 'timeout',
            detail: `Still processing after the model's limit of ${limitMs / 60_000} minutes.`,
          })
        ) {
          await this.settlement.settle(job.id);
          // Its worker is gone or stuck: stop the provider's work too (best effort).
          await this.providers
            .for(job.model)
            .abandon(job.id)
            .catch(() => undefined);
        }
      } else if (now - job.heartbeatAt.getTime() > this.config.WORKER_HEARTBEAT_TIMEOUT_MS) {
        await this.takeBack(job.id, job.attempts);
      }
    }
  }

  private async takeBack(jobId: string, attempts: number): Promise<void> {
    if (attempts >= this.config.JOB_MAX_ATTEMPTS) {
      if (
        await this.settlement.recordOutcome(jobId, attempts, {
          status: 'failed',
          reason: 'internal',
          detail: `The worker stopped during each of ${attempts} attempts.`,
        })
      ) {
        await this.settlement.settle(jobId);
      }
      return;
    }
    await this.dataSource.transaction(async (manager) => {
      if (await recoveryRows.requeue(manager, jobId, attempts, this.clock.now())) {
        await appendJobLog(
          manager,
          this.clock.now(),
          jobId,
          'decision',
          'worker lost; job queued again',
          {
            attempt: attempts,
          },
        );
      }
    });
  }

  private async releaseAbandonedSubmissions(): Promise<void> {
    // Job times are on the platform clock (they are written with it), so the cut-off is too.
    const before = new Date(this.clock.now().getTime() - ABANDONED_RESERVING_MS);
    for (const id of await recoveryRows.abandonedSubmissions(this.dataSource, before)) {
      await this.ledger.release(id, 'submission abandoned');
      await recoveryRows.removeSubmission(this.dataSource, id);
      this.logger.warn(`released the hold of abandoned submission ${id}`);
    }
  }
}
