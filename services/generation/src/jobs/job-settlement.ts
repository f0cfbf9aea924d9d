import { Injectable, Logger } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { jobBlockedV1, jobFailedV1, jobSucceededV1, ProblemError } from '@fluxnote/contracts';
import { Clock } from '@fluxnote/clock';
import { Outbox } from '@fluxnote/messaging';
import { BillingLedger } from '../billing/billing-ledger';
import { FailureSignals } from './failure-signals';
import { JobEntity, OUTPUT_MODERATION, type JobOutcome } from './job.entity';
import { appendJobLog } from './job-log.repository';
import { jobRows } from './jobs.repository';

/** Why a job that did not succeed ended: recorded on the job and given to billing's release. */
function failureReasonOf(outcome: JobOutcome): string {
  return outcome.status === 'blocked' ? OUTPUT_MODERATION : (outcome.reason ?? 'internal');
}

/**
 * Turns a worker's outcome into money and history: the outcome is recorded
 * first (guarded by the attempt that produced it), then the reservation is
 * committed or released in billing (idempotent by job id), then the job is
 * finished with its event. A crash anywhere in between is picked up by the
 * recovery pass and repeats only idempotent steps.
 */
@Injectable()
export class JobSettlement {
  private readonly logger = new Logger(JobSettlement.name);

  constructor(
    private readonly dataSource: DataSource,
    private readonly ledger: BillingLedger,
    private readonly outbox: Outbox,
    private readonly signals: FailureSignals,
    private readonly clock: Clock,
  ) {}

  /** Records the outcome of `attempt`; false if the job moved on meanwhile (watchdog, retry). */
  async recordOutcome(jobId: string, attempt: number, outcome: JobOutcome): Promise<boolean> {
    return this.dataSource.transaction(async (manager) => {
      const result = await manager
        .createQueryBuilder()
        .update(JobEntity)
        .set({ outcome, updatedAt: this.clock.now() })
        .where('id = :jobId AND status = :status AND attempts = :attempt AND outcome IS NULL', {
          jobId,
          status: 'processing',
          attempt,
        })
        .execute();
      if (result.affected === 1) {
        await appendJobLog(
          manager,
          this.clock.now(),
          jobId,
          'decision',
          `outcome: ${outcome.status}`,
          {
            ...outcome,
            attempt,
          },
        );
        return true;
      }
      return false;
    });
  }

  async settle(jobId: string): Promise<void> {
    const job = await jobRows.job(this.dataSource, jobId);
    if (!job || job.status !== 'processing' || !job.outcome) {
      return;
    }
    const outcome = job.outcome;
    let settlementNote: string;
    try {
      const reservation =
        outcome.status === 'succeeded'
          ? await this.ledger.commit(job.id)
          : await this.ledger.release(job.id, failureReasonOf(outcome));
      settlementNote = `reservation ${reservation.status}`;
    } catch (error) {
      if (
        error instanceof ProblemError &&
        (error.problem.status === 404 || error.problem.status === 409)
      ) {
        // The hold expired or was settled elsewhere; the job still ends, the log says why.
        settlementNote = `reservation not settled: ${error.problem.detail}`;
      } else {
        throw error;
      }
    }
    await this.dataSource.transaction(async (manager) => {
      const refunded = outcome.status !== 'succeeded';
      const failureReason = refunded ? failureReasonOf(outcome) : null;
      const ended = await jobRows.end(manager, job.id, {
        status: outcome.status,
        at: this.clock.now(),
        outputUrl: outcome.outputUrl ?? null,
        failureReason,
        failureDetail: refunded ? (outcome.detail ?? null) : null,
        refunded,
      });
      if (!ended) {
        return;
      }
      await appendJobLog(manager, this.clock.now(), job.id, 'settlement', settlementNote, {
        status: outcome.status,
      });
      const ref = { jobId: job.id, userId: job.userId, model: job.model, mode: job.mode };
      const credits = { videoCredits: job.videoCredits, imageCredits: job.imageCredits };
      switch (outcome.status) {
        case 'failed':
          await this.outbox.add(manager, jobFailedV1, job.userId, {
            ...ref,
            reason: outcome.reason ?? 'internal',
            refunded: credits,
          });
          await this.signals.afterFailure(manager, job);
          break;
        case 'blocked':
          await this.outbox.add(manager, jobBlockedV1, job.userId, {
            ...ref,
            rule: OUTPUT_MODERATION,
            explanation: outcome.detail ?? 'The provider’s moderation withheld the output.',
            stage: 'output',
            refunded: credits,
          });
          break;
        case 'succeeded':
          await this.outbox.add(manager, jobSucceededV1, job.userId, {
            ...ref,
            outputUrl: outcome.outputUrl ?? '',
          });
          break;
      }
    });
    this.logger.log(
      `job ${job.id} ${outcome.status}${outcome.reason ? ` (${outcome.reason})` : ''}`,
    );
  }
}
