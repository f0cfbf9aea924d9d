import type { EntityManager } from 'typeorm';
import type { Sql } from '@fluxnote/persistence';
import { JobEntity } from '../jobs/job.entity';
import { WORK_CHANNEL } from '../jobs/work-channel';

/** A processing job as the watchdog reads it. */
export interface RunningJob {
  id: string;
  model: string;
  attempts: number;
  startedAt: Date;
  heartbeatAt: Date;
}

const ids = (rows: { id: string }[]): string[] => rows.map((r) => r.id);

/**
 * What the recovery pass looks for in `generation.jobs`, and the one write it makes itself:
 * reads and writes only. What it does with each is job-recovery.ts.
 */
export const recoveryRows = {
  /** Cancelled jobs whose hold is not released yet. */
  async unreleasedCancelled(sql: Sql): Promise<string[]> {
    return ids(
      await sql.query<{ id: string }[]>(
        `SELECT id FROM generation.jobs WHERE status = 'cancelled' AND NOT refunded LIMIT 100`,
      ),
    );
  },

  /** Processing jobs whose outcome is recorded but not settled. */
  async unsettledOutcomes(sql: Sql): Promise<string[]> {
    return ids(
      await sql.query<{ id: string }[]>(
        `SELECT id FROM generation.jobs WHERE status = 'processing' AND outcome IS NOT NULL LIMIT 100`,
      ),
    );
  },

  /** Processing jobs still waiting for their outcome. */
  async running(sql: Sql): Promise<RunningJob[]> {
    const rows = await sql.query<
      { id: string; model: string; attempts: number; started_at: Date; heartbeat_at: Date }[]
    >(
      `SELECT id, model, attempts, started_at, heartbeat_at FROM generation.jobs
        WHERE status = 'processing' AND outcome IS NULL LIMIT 500`,
    );
    return rows.map((r) => ({
      id: r.id,
      model: r.model,
      attempts: r.attempts,
      startedAt: r.started_at,
      heartbeatAt: r.heartbeat_at,
    }));
  },

  /**
   * Queues the job again if it is still on this attempt with no outcome, and wakes the
   * workers at commit; false when it moved on meanwhile.
   */
  async requeue(
    manager: EntityManager,
    jobId: string,
    attempts: number,
    at: Date,
  ): Promise<boolean> {
    const result = await manager
      .createQueryBuilder()
      .update(JobEntity)
      .set({ status: 'queued', heartbeatAt: null, updatedAt: at })
      .where('id = :jobId AND status = :status AND attempts = :attempts AND outcome IS NULL', {
        jobId,
        status: 'processing',
        attempts,
      })
      .execute();
    if (result.affected !== 1) {
      return false;
    }
    await manager.query('SELECT pg_notify($1, $2)', [WORK_CHANNEL, 'requeued']);
    return true;
  },

  /** Submissions still reserving credits since before `before` (their submit died). */
  async abandonedSubmissions(sql: Sql, before: Date): Promise<string[]> {
    return ids(
      await sql.query<{ id: string }[]>(
        `SELECT id FROM generation.jobs WHERE status = 'reserving' AND created_at < $1 LIMIT 100`,
        [before],
      ),
    );
  },

  async removeSubmission(sql: Sql, jobId: string): Promise<void> {
    await sql.getRepository(JobEntity).delete({ id: jobId, status: 'reserving' });
  },
};
