import { Inject, Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { Clock } from '@fluxnote/clock';
import { defaultModels } from '../catalog/model-catalog';
import { GENERATION_CONFIG, type GenerationConfig } from '../config/generation.config';
import { JobEntity } from './job.entity';

/** How many of the best-placed queued jobs one claim looks at before taking the first free one. */
const CANDIDATES = 16;

/**
 * The durable queue the workers share. A claim takes the next job in this
 * order: the priority lane (Max) before the shared lane; within a lane, by each
 * job's turn among its user's jobs — the user's jobs already running count, so
 * one user's hundred jobs do not hold back everyone else's first — then the
 * oldest. Jobs of a model already running its limit wait (a provider's rate limit).
 * `SKIP LOCKED` lets many workers claim at once, each job going to exactly one; the
 * model's limit is checked again under a per-model lock, so racing claims never
 * exceed it.
 */
@Injectable()
export class JobQueue {
  private readonly models: string[];
  private readonly limits: number[];

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
    // Other workers may take every job this claim looked at before it locks one; it looks again
    // rather than answering "nothing queued" (which would idle a worker with work waiting).
    for (let round = 0; round < 3; round++) {
      const claim = await this.tryClaim();
      if (claim !== 'raced') {
        return claim
          ? this.dataSource.getRepository(JobEntity).findOneByOrFail({ id: claim.id })
          : undefined;
      }
    }
    return undefined;
  }

  /** The claimed job's id; undefined when nothing is claimable; `raced` when others took them all. */
  private tryClaim(): Promise<{ id: string } | 'raced' | undefined> {
    return this.dataSource.transaction(async (manager) => {
      const [picked] = await manager.query<
        { id: string | null; model: string | null; offered: string }[]
      >(
        `WITH running AS (
           SELECT user_id, model FROM generation.jobs WHERE status = 'processing'
         ), full_models AS (
           SELECT r.model FROM running r
             JOIN unnest($1::text[], $2::int[]) AS l (model, jobs) ON l.model = r.model
            GROUP BY r.model, l.jobs HAVING count(*) >= l.jobs
         ), candidates AS (
           SELECT id, row_number() OVER (ORDER BY lane, turn, created_at, id) AS place
             FROM (SELECT q.id, q.lane, q.created_at,
                          row_number() OVER (PARTITION BY q.user_id, q.lane ORDER BY q.created_at, q.id)
                            + coalesce(mine.jobs, 0) AS turn
                     FROM generation.jobs q
                     LEFT JOIN (SELECT user_id, count(*) AS jobs FROM running GROUP BY user_id) AS mine
                            ON mine.user_id = q.user_id
                    WHERE q.status = 'queued' AND q.model NOT IN (SELECT model FROM full_models)) AS queued
            ORDER BY lane, turn, created_at, id
            LIMIT ${CANDIDATES}
         )
         SELECT free.id, free.model, (SELECT count(*) FROM candidates) AS offered
           FROM (SELECT 1) AS one
           LEFT JOIN LATERAL (
             SELECT j.id, j.model FROM generation.jobs j JOIN candidates c ON c.id = j.id
              WHERE j.status = 'queued'
              ORDER BY c.place LIMIT 1 FOR UPDATE OF j SKIP LOCKED
           ) AS free ON true`,
        [this.models, this.limits],
      );
      if (!picked?.id || !picked.model) {
        return Number(picked?.offered ?? 0) > 0 ? 'raced' : undefined;
      }
      const job = { id: picked.id, model: picked.model };
      // Claims of one model queue here; a claim that lost the race for the last slot
      // leaves its job queued for when a slot frees.
      await manager.query(`SELECT pg_advisory_xact_lock(hashtext('generation.model:' || $1))`, [
        job.model,
      ]);
      const now = this.clock.now();
      const claimed = await manager.query<[{ id: string }[], number]>(
        `UPDATE generation.jobs SET status = 'processing', attempts = attempts + 1,
                started_at = coalesce(started_at, $2), heartbeat_at = $2, updated_at = now()
          WHERE id = $1
            AND (SELECT count(*) FROM generation.jobs WHERE model = $3 AND status = 'processing') < $4
          RETURNING id`,
        [job.id, now, job.model, this.limitOf(job.model)],
      );
      const id = claimed[0][0]?.id;
      return id ? { id } : undefined;
    });
  }
}
