import type { EntityManager } from 'typeorm';
import type { Sql } from '@fluxnote/persistence';

/**
 * `queueTurn` of `queue.rules.ts` in SQL: the turn of a job being queued by `user` in `lane`
 * (SQL expressions: parameters such as `$2`, or qualified columns — a bare `user_id` would
 * mean the subqueries' own). Every lookup is one index probe (`jobs_queue_idx`,
 * `jobs_running_turn_idx`, `jobs_user_turn_idx`); `queue.rules.int-spec.ts` checks it
 * decides as the rule does.
 */
export function queueTurnSql(user: string, lane: string): string {
  return `greatest(
    coalesce(
      (SELECT min(turn) FROM generation.jobs WHERE status = 'queued' AND lane = ${lane}),
      (SELECT max(turn) FROM generation.jobs WHERE status = 'processing' AND lane = ${lane}),
      0),
    coalesce(
      (SELECT max(turn) + 1 FROM generation.jobs
        WHERE user_id = ${user} AND lane = ${lane} AND status IN ('queued', 'processing')),
      0))`;
}

/** The models and their running limits, in two arrays of the same order. */
export interface ModelLimits {
  models: string[];
  limits: number[];
}

/**
 * The queue's rows in `generation.jobs`: reads and writes only. Which job a claim takes is
 * `nextClaim` of `queue.rules.ts`, written here as the `ORDER BY` of `head`
 * (`queue.rules.int-spec.ts` checks they agree); job-queue.ts runs a claim from these.
 */
export const queueRows = {
  /**
   * The job `nextClaim` names, locked (skipping jobs other claims hold): the priority lane
   * first; within a lane the lowest turn, then the oldest; a model at its limit waits. Reads
   * the head of one index, however many jobs wait.
   */
  async head(
    manager: EntityManager,
    { models, limits }: ModelLimits,
  ): Promise<{ id: string; model: string } | undefined> {
    const [job] = await manager.query<{ id: string; model: string }[]>(
      `WITH full_models AS (
         SELECT r.model FROM generation.jobs r
           JOIN unnest($1::text[], $2::int[]) AS l (model, jobs) ON l.model = r.model
          WHERE r.status = 'processing'
          GROUP BY r.model, l.jobs HAVING count(*) >= l.jobs
       )
       SELECT j.id, j.model FROM generation.jobs j
        WHERE j.status = 'queued' AND j.model NOT IN (SELECT model FROM full_models)
        ORDER BY j.lane, j.turn, j.created_at, j.id
        LIMIT 1 FOR UPDATE OF j SKIP LOCKED`,
      [models, limits],
    );
    return job;
  },

  /** Queues the claims of one model behind each other until the transaction ends. */
  async lockModel(manager: EntityManager, model: string): Promise<void> {
    await manager.query(`SELECT pg_advisory_xact_lock(hashtext('generation.model:' || $1))`, [
      model,
    ]);
  },

  /**
   * Starts the job if its model runs fewer than `limit` jobs; false when the last slot went
   * to another claim.
   */
  async start(
    manager: EntityManager,
    job: { id: string; model: string },
    limit: number,
    now: Date,
  ): Promise<boolean> {
    const [rows] = await manager.query<[{ id: string }[], number]>(
      `UPDATE generation.jobs SET status = 'processing', attempts = attempts + 1,
              started_at = coalesce(started_at, $2), heartbeat_at = $2, updated_at = $2
        WHERE id = $1
          AND (SELECT count(*) FROM generation.jobs WHERE model = $3 AND status = 'processing') < $4
        RETURNING id`,
      [job.id, now, job.model, limit],
    );
    return rows.length > 0;
  },

  /** The worker running the job is alive (a job whose heartbeat stops is recovered). */
  async heartbeat(sql: Sql, jobId: string, at: Date): Promise<void> {
    await sql.query(
      `UPDATE generation.jobs SET heartbeat_at = $2 WHERE id = $1 AND status = 'processing'`,
      [jobId, at],
    );
  },
};
