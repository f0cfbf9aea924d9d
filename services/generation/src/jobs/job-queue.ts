import { Inject, Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { Clock } from '@fluxnote/clock';
import { defaultModels } from '../catalog/model-catalog';
import { GENERATION_CONFIG, type GenerationConfig } from '../config/generation.config';
import { JobEntity } from './job.entity';
import { GenerationMetrics } from './generation-metrics';

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

/**
 * The durable queue the workers share. A claim takes the job `nextClaim` of `queue.rules.ts`
 * names (the priority lane first; within a lane the lowest turn, then the oldest; a model
 * running its limit waits), decided in SQL by the `ORDER BY` below.
 * `SKIP LOCKED` lets many workers claim at once, each job going to exactly one; the model's
 * limit is checked again under a per-model lock, so racing claims never exceed it. A claim
 * reads the head of one index, however many jobs wait.
 */
@Injectable()
export class JobQueue {
  private readonly models: string[];
  private readonly limits: number[];
  private readonly metrics = new GenerationMetrics();

  constructor(
    private readonly dataSource: DataSource,
    private readonly clock: Clock,
    @Inject(GENERATION_CONFIG) config: Pick<GenerationConfig, 'MODEL_CONCURRENCY'>,
  ) {
    this.models = defaultModels.map((m) => m.id);
    this.limits = defaultModels.map((m) => config.MODEL_CONCURRENCY[m.id] ?? m.maxConcurrentJobs);
  }

  /** The running limit of `model`. */
  limitOf(model: string): number {
    const index = this.models.indexOf(model);
    return index < 0 ? 1 : this.limits[index];
  }

  async claimNext(): Promise<JobEntity | undefined> {
    // A claim that lost a model's last free slot to another worker looks again (that model
    // now counts as full) rather than answering "nothing queued", which would idle a worker
    // with other work waiting.
    for (let round = 0; round < 3; round++) {
      const claim = await this.tryClaim();
      if (claim !== 'raced') {
        if (!claim) {
          return undefined;
        }
        const job = await this.dataSource
          .getRepository(JobEntity)
          .findOneByOrFail({ id: claim.id });
        // Its wait in the queue: once, when a worker first takes it (a retry after a crash is not
        // a second wait).
        if (job.attempts === 1 && job.startedAt) {
          this.metrics.claimed(
            job.lane,
            (job.startedAt.getTime() - job.createdAt.getTime()) / 1000,
          );
        }
        return job;
      }
    }
    return undefined;
  }

  /** The claimed job's id; undefined when nothing is claimable; `raced` when the model filled meanwhile. */
  private tryClaim(): Promise<{ id: string } | 'raced' | undefined> {
    return this.dataSource.transaction(async (manager) => {
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
        [this.models, this.limits],
      );
      if (!job) {
        return undefined;
      }
      // Claims of one model queue here; a claim that lost the race for the last slot
      // leaves its job queued for when a slot frees.
      await manager.query(`SELECT pg_advisory_xact_lock(hashtext('generation.model:' || $1))`, [
        job.model,
      ]);
      const now = this.clock.now();
      const claimed = await manager.query<[{ id: string }[], number]>(
        `UPDATE generation.jobs SET status = 'processing', attempts = attempts + 1,
                started_at = coalesce(started_at, $2), heartbeat_at = $2, updated_at = $2
          WHERE id = $1
            AND (SELECT count(*) FROM generation.jobs WHERE model = $3 AND status = 'processing') < $4
          RETURNING id`,
        [job.id, now, job.model, this.limitOf(job.model)],
      );
      const id = claimed[0][0]?.id;
      return id ? { id } : 'raced';
    });
  }
}
