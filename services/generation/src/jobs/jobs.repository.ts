import type { EntityManager } from 'typeorm';
import type { Sql } from '@fluxnote/persistence';
import { JobLogEntity } from './job-log.entity';
import { JobEntity } from './job.entity';

/** What a finished job's row says of how it ended. */
export interface JobEnding {
  status: JobEntity['status'];
  outputUrl: string | null;
  failureReason: string | null;
  failureDetail: string | null;
  refunded: boolean;
  at: Date;
}

/**
 * The reads of `generation.jobs` and `generation.job_logs` that show jobs, and the write that
 * ends one: reads and writes only. Who sees which job is jobs.service.ts.
 */
export const jobRows = {
  async job(sql: Sql, id: string): Promise<JobEntity | null> {
    return sql.getRepository(JobEntity).findOneBy({ id });
  },

  async ownJob(sql: Sql, userId: string, id: string): Promise<JobEntity | null> {
    return sql.getRepository(JobEntity).findOneBy({ id, userId });
  },

  /** The job locked until the transaction ends. */
  async lock(manager: EntityManager, id: string): Promise<JobEntity | null> {
    return manager
      .getRepository(JobEntity)
      .findOne({ where: { id }, lock: { mode: 'pessimistic_write' } });
  },

  /** The job's log, oldest line first. */
  async log(sql: Sql, jobId: string): Promise<JobLogEntity[]> {
    return sql.getRepository(JobLogEntity).find({ where: { jobId }, order: { id: 'ASC' } });
  },

  /** The user's shown jobs newest first, after a (created, id) position if given. */
  async newestFirst(
    sql: Sql,
    userId: string,
    take: number,
    after?: { createdAt: Date | string; id: string },
  ): Promise<JobEntity[]> {
    const query = sql
      .getRepository(JobEntity)
      .createQueryBuilder('job')
      .where('job.user_id = :userId AND job.status <> :reserving', {
        userId,
        reserving: 'reserving',
      })
      .orderBy('job.created_at', 'DESC')
      .addOrderBy('job.id', 'DESC')
      .take(take);
    if (after) {
      query.andWhere('(job.created_at, job.id) < (:createdAt, :id)', after);
    }
    return query.getMany();
  },

  /** Ends a processing job as it ended; false when it was not processing (ended already). */
  async end(manager: EntityManager, id: string, ending: JobEnding): Promise<boolean> {
    const result = await manager.update(
      JobEntity,
      { id, status: 'processing' },
      {
        status: ending.status,
        updatedAt: ending.at,
        outputUrl: ending.outputUrl,
        failureReason: ending.failureReason,
        failureDetail: ending.failureDetail,
        refunded: ending.refunded,
      },
    );
    return result.affected === 1;
  },

  /** Queued jobs per lane and how long the oldest has waited at `now`; running jobs per model. */
  async queueReading(
    sql: Sql,
    now: Date,
  ): Promise<{
    lanes: { lane: number; jobs: number; oldest: number }[];
    running: { model: string; jobs: number }[];
  }> {
    const [lanes, running] = await Promise.all([
      sql.query<{ lane: number; jobs: number; oldest: number }[]>(
        `SELECT lane, count(*)::int AS jobs,
                greatest(0, extract(epoch FROM $1::timestamptz - min(created_at)))::float8 AS oldest
           FROM generation.jobs WHERE status = 'queued' GROUP BY lane`,
        [now],
      ),
      sql.query<{ model: string; jobs: number }[]>(
        `SELECT model, count(*)::int AS jobs FROM generation.jobs
          WHERE status = 'processing' GROUP BY model ORDER BY model`,
      ),
    ]);
    return { lanes, running };
  },

  /** The users with a job on the model created in (from, to]. */
  async usersOfModel(sql: Sql, model: string, from: Date, to: Date): Promise<string[]> {
    const rows = await sql.query<{ user_id: string }[]>(
      `SELECT DISTINCT user_id FROM generation.jobs
        WHERE model = $1 AND created_at > $2 AND created_at <= $3`,
      [model, from, to],
    );
    return rows.map((r) => r.user_id);
  },
};
