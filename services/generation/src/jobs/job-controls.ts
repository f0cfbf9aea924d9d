import { Injectable, Logger } from '@nestjs/common';
import { createHash, randomBytes } from 'node:crypto';
import { DataSource } from 'typeorm';
import { Clock } from '@fluxnote/clock';
import { isUuid, ProblemError } from '@fluxnote/contracts';
import { BillingLedger } from '../billing/billing-ledger';
import { JobEntity } from './job.entity';
import { appendJobLog } from './job-log';

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
      const [rows] = await manager.query<[{ id: string }[], number]>(
        `UPDATE generation.jobs SET status = 'cancelled', refunded = false, updated_at = $3,
                failure_reason = 'cancelled', failure_detail = 'Cancelled before it started.'
          WHERE id = $1 AND user_id = $2 AND status = 'queued' RETURNING id`,
        [jobId, userId, this.clock.now()],
      );
      if (rows.length === 0) {
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
      return manager.getRepository(JobEntity).findOneByOrFail({ id: jobId });
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
      const [rows] = await manager.query<[{ id: string }[], number]>(
        `UPDATE generation.jobs SET refunded = true WHERE id = $1 AND status = 'cancelled' AND NOT refunded
          RETURNING id`,
        [jobId],
      );
      if (rows.length > 0) {
        await appendJobLog(
          manager,
          this.clock.now(),
          jobId,
          'settlement',
          'reservation released (cancelled)',
        );
      }
      return manager.getRepository(JobEntity).findOneBy({ id: jobId });
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
    const [rows] = await this.dataSource.query<[{ id: string }[], number]>(
      `DELETE FROM generation.jobs WHERE id = $1 AND user_id = $2 AND status = ANY ($3) RETURNING id`,
      [jobId, userId, finished],
    );
    if (rows.length === 0) {
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
    const queued = await this.dataSource.query<{ id: string }[]>(
      `SELECT id FROM generation.jobs WHERE user_id = $1 AND project_id = $2 AND status = 'queued'`,
      [userId, projectId],
    );
    for (const { id } of queued) {
      await this.cancel(userId, id).catch((error: unknown) => {
        if (!(error instanceof ProblemError && error.problem.status === 409)) {
          throw error;
        }
      });
    }
    const cancelled = await this.dataSource.query<{ id: string }[]>(
      `SELECT id FROM generation.jobs
        WHERE user_id = $1 AND project_id = $2 AND status = 'cancelled' AND NOT refunded`,
      [userId, projectId],
    );
    await this.releaseBeforeDeleting(cancelled.map((c) => c.id));
    return this.dataSource.transaction(async (manager) => {
      const running = await manager.query<{ id: string }[]>(
        `SELECT id FROM generation.jobs
          WHERE user_id = $1 AND project_id = $2 AND NOT (status = ANY ($3)) FOR UPDATE`,
        [userId, projectId, finished],
      );
      if (running.length > 0) {
        throw ProblemError.conflict(
          `${running.length} job(s) of this project are running; delete it once they have finished.`,
          { running: running.map((r) => r.id) },
        );
      }
      const [deleted] = await manager.query<[{ id: string }[], number]>(
        `DELETE FROM generation.jobs WHERE user_id = $1 AND project_id = $2 RETURNING id`,
        [userId, projectId],
      );
      if (deleted.length === 0) {
        throw ProblemError.notFound(`No project ${projectId}.`);
      }
      return deleted.length;
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
    await this.dataSource.query(
      `INSERT INTO generation.job_shares (job_id, token_hash, created_at) VALUES ($1, $2, $3)
       ON CONFLICT (job_id) DO UPDATE SET token_hash = $2, created_at = $3`,
      [job.id, hashOf(token), createdAt],
    );
    return { token, createdAt };
  }

  async unshare(userId: string, jobId: string): Promise<void> {
    await this.owned(userId, jobId);
    await this.dataSource.query(`DELETE FROM generation.job_shares WHERE job_id = $1`, [jobId]);
  }

  /** The job behind a share link, for anyone holding it; a revoked or unknown link is not found. */
  async shared(token: string): Promise<JobEntity> {
    const [row] = /^[A-Za-z0-9_-]{32}$/.test(token)
      ? await this.dataSource.query<{ job_id: string }[]>(
          `SELECT job_id FROM generation.job_shares WHERE token_hash = $1`,
          [hashOf(token)],
        )
      : [];
    const job = row
      ? await this.dataSource.getRepository(JobEntity).findOneBy({ id: row.job_id })
      : null;
    if (!job || job.status !== 'succeeded') {
      throw ProblemError.notFound('This share link does not exist or was turned off.');
    }
    return job;
  }

  private async owned(userId: string, jobId: string): Promise<JobEntity> {
    const job = isUuid(jobId)
      ? await this.dataSource.getRepository(JobEntity).findOneBy({ id: jobId, userId })
      : null;
    if (!job || job.status === 'reserving') {
      throw ProblemError.notFound(`No generation ${jobId}.`);
    }
    return job;
  }
}
