import { Injectable, Logger } from '@nestjs/common';
import { createHash, randomBytes } from 'node:crypto';
import { DataSource } from 'typeorm';
import { Clock } from '@fluxnote/clock';
import { isUuid, ProblemError } from '@fluxnote/contracts';
import { BillingLedger } from '../billing/billing-ledger';
import type { JobEntity } from './job.entity';
import { jobControlRows } from './job-controls.repository';
import { jobRows } from './jobs.repository';
import { appendJobLog } from './job-log.repository';

/** Statuses a job ends in: only these can be deleted (a running one is cancelled or waited for). */
const finished = ['succeeded', 'failed', 'blocked', 'cancelled'];

const hashOf = (token: string): Buffer => createHash('sha256').update(token).digest();

export interface ShareLink {
  token: string;
  createdAt: Date;
}

/**
 * What a user does to their own jobs after submitting them: cancel one that
 * has not started (its hold released at once), delete one or a whole project
 * (the job, its log, its output reference and share link — no soft delete),
 * and share a finished output by an unguessable, revocable link.
 */
@Injectable()
export class JobControls {
  private readonly logger = new Logger(JobControls.name);

  constructor(
    private readonly dataSource: DataSource,
    private readonly ledger: BillingLedger,
    private readonly clock: Clock,
  ) {}

  /**
   * A queued job is cancelled (a worker can no longer take it), then its hold
   * is released; if billing cannot be reached the recovery pass releases it.
   */
  async cancel(userId: string, jobId: string): Promise<JobEntity> {
    const job = await this.dataSource.transaction(async (manager) => {
      if (!(await jobControlRows.cancelQueued(manager, userId, jobId, this.clock.now()))) {
        const current = await this.owned(userId, jobId);
        throw ProblemError.conflict(
          `Only a job that has not started can be cancelled; this one is ${current.status}.`,
          { jobStatus: current.status },
        );
      }
      await appendJobLog(
        manager,
        this.clock.now(),
        jobId,
        'decision',
        'cancelled by the user before it started',
      );
      return (await jobRows.job(manager, jobId))!;
    });
    return (await this.releaseCancelled(job.id)) ?? job;
  }

  /** Releases a cancelled job's hold and marks it refunded (once; the recovery pass retries). */
  async releaseCancelled(jobId: string): Promise<JobEntity | null> {
    try {
      await this.ledger.release(jobId, 'cancelled before it started');
    } catch (error) {
      if (!(error instanceof ProblemError && error.problem.status === 404)) {
        this.logger.warn(`release of cancelled job ${jobId} failed: ${String(error)}`);
        return null;
      }
    }
    return this.dataSource.transaction(async (manager) => {
      if (await jobControlRows.markCancelledRefunded(manager, jobId)) {
        await appendJobLog(
          manager,
          this.clock.now(),
          jobId,
          'settlement',
          'reservation released (cancelled)',
        );
      }
      return jobRows.job(manager, jobId);
    });
  }

  /**
   * Removes the job, its log, output reference and share link. A queued job is
   * cancelled first; a cancelled one stays until its hold is released (the
   * record that says it must be is the job itself).
   */
  async delete(userId: string, jobId: string): Promise<void> {
    let job = await this.owned(userId, jobId);
    if (job.status === 'queued') {
      job = await this.cancel(userId, jobId);
    }
    if (job.status === 'cancelled' && !job.refunded) {
      await this.releaseBeforeDeleting([jobId]);
    }
    if (!(await jobControlRows.deleteIn(this.dataSource, userId, jobId, finished))) {
      throw ProblemError.conflict('This job is running; delete it once it has finished.', {
        jobStatus: (await this.owned(userId, jobId)).status,
      });
    }
  }

  /** Every job of the user's project; refused (nothing deleted) while one of them runs. */
  async deleteProject(userId: string, projectId: string): Promise<number> {
    if (!isUuid(projectId)) {
      throw ProblemError.notFound(`No project ${projectId}.`);
    }
    for (const id of await jobControlRows.queuedOfProject(this.dataSource, userId, projectId)) {
      await this.cancel(userId, id).catch((error: unknown) => {
        if (!(error instanceof ProblemError && error.problem.status === 409)) {
          throw error;
        }
      });
    }
    await this.releaseBeforeDeleting(
      await jobControlRows.unreleasedOfProject(this.dataSource, userId, projectId),
    );
    return this.dataSource.transaction(async (manager) => {
      const running = await jobControlRows.lockOthersOfProject(
        manager,
        userId,
        projectId,
        finished,
      );
      if (running.length > 0) {
        throw ProblemError.conflict(
          `${running.length} job(s) of this project are running; delete it once they have finished.`,
          { running },
        );
      }
      const deleted = await jobControlRows.deleteProject(manager, userId, projectId);
      if (deleted === 0) {
        throw ProblemError.notFound(`No project ${projectId}.`);
      }
      return deleted;
    });
  }

  /** Cancelled jobs whose hold is not released yet are released now, or not deleted (503). */
  private async releaseBeforeDeleting(cancelledJobIds: string[]): Promise<void> {
    for (const jobId of cancelledJobIds) {
      const released = await this.releaseCancelled(jobId);
      if (!released?.refunded) {
        throw ProblemError.unavailable(
          'Its credits are still being released. Delete it again in a moment.',
        );
      }
    }
  }

  /** A new link to a finished output (any earlier link stops working). The token is shown once. */
  async share(userId: string, jobId: string): Promise<ShareLink> {
    const job = await this.owned(userId, jobId);
    if (job.status !== 'succeeded' || !job.outputUrl) {
      throw ProblemError.conflict('Only a finished generation with an output can be shared.', {
        jobStatus: job.status,
      });
    }
    const token = randomBytes(24).toString('base64url');
    const createdAt = this.clock.now();
    await jobControlRows.putShare(this.dataSource, job.id, hashOf(token), createdAt);
    return { token, createdAt };
  }

  async unshare(userId: string, jobId: string): Promise<void> {
    await this.owned(userId, jobId);
    await jobControlRows.removeShare(this.dataSource, jobId);
  }

  /** The job behind a share link, for anyone holding it; a revoked or unknown link is not found. */
  async shared(token: string): Promise<JobEntity> {
    const jobId = /^[A-Za-z0-9_-]{32}$/.test(token)
      ? await jobControlRows.sharedJobId(this.dataSource, hashOf(token))
      : undefined;
    const job = jobId ? await jobRows.job(this.dataSource, jobId) : null;
    if (!job || job.status !== 'succeeded') {
      throw ProblemError.notFound('This share link does not exist or was turned off.');
    }
    return job;
  }

  private async owned(userId: string, jobId: string): Promise<JobEntity> {
    const job = isUuid(jobId) ? await jobRows.ownJob(this.dataSource, userId, jobId) : null;
    if (!job || job.status === 'reserving') {
      throw ProblemError.notFound(`No generation ${jobId}.`);
    }
    return job;
  }
}
