import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { Clock } from '@fluxnote/clock';
import { JobEntity } from './job.entity';

/** How many of the best-placed queued jobs one claim looks at before taking the first free one. */
const CANDIDATES = 16;

/**
 * The durable queue the workers share. A claim takes the next job in this
 * order: the priority lane (Max) before the shared lane; within a lane, by each
 * job's turn among its user's jobs — the user's jobs already running count, so
 * one user's hundred jobs do not hold back everyone else's first — then the
 * oldest. `SKIP LOCKED`
 * lets many workers claim at once, each job going to exactly one.
 */
@Injectable()
export class JobQueue {
  constructor(
    private readonly dataSource: DataSource,
    private readonly clock: Clock,
  ) {}

  async claimNext(): Promise<JobEntity | undefined> {
    const now = this.clock.now();
    const rows = await this.dataSource.query<[{ id: string }[], number]>(
      `WITH candidates AS (
         SELECT id, row_number() OVER (ORDER BY lane, turn, created_at, id) AS place
           FROM (SELECT q.id, q.lane, q.created_at,
                        row_number() OVER (PARTITION BY q.user_id, q.lane ORDER BY q.created_at, q.id)
                          + coalesce(running.jobs, 0) AS turn
                   FROM generation.jobs q
                   LEFT JOIN (SELECT user_id, count(*) AS jobs FROM generation.jobs
                               WHERE status = 'processing' GROUP BY user_id) AS running
                          ON running.user_id = q.user_id
                  WHERE q.status = 'queued') AS queued
          ORDER BY lane, turn, created_at, id
          LIMIT ${CANDIDATES}
       )
       UPDATE generation.jobs SET status = 'processing', attempts = attempts + 1,
              started_at = coalesce(started_at, $1), heartbeat_at = $1, updated_at = now()
        WHERE id = (SELECT j.id FROM generation.jobs j JOIN candidates c ON c.id = j.id
                     WHERE j.status = 'queued'
                     ORDER BY c.place LIMIT 1 FOR UPDATE OF j SKIP LOCKED)
        RETURNING id`,
      [now],
    );
    const id = rows[0][0]?.id;
    return id ? this.dataSource.getRepository(JobEntity).findOneByOrFail({ id }) : undefined;
  }
}
