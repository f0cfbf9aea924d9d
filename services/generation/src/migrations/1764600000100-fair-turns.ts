import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Fair turns in the queue (see `jobs/job-queue.ts`): each queued job carries its turn in its
 * lane, given when it is queued, and workers take the lowest turn first. The indexes make a
 * claim and a turn's computation a few index lookups however long the queue is.
 */
export class FairTurns1764600000100 implements MigrationInterface {
  name = 'FairTurns1764600000100';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE generation.jobs ADD COLUMN turn bigint NOT NULL DEFAULT 0`);
    await q.query(`DROP INDEX generation.jobs_queue_idx`);
    await q.query(
      `CREATE INDEX jobs_queue_idx ON generation.jobs (lane, turn, created_at, id) WHERE status = 'queued'`,
    );
    await q.query(
      `CREATE INDEX jobs_running_turn_idx ON generation.jobs (lane, turn) WHERE status = 'processing'`,
    );
    await q.query(
      `CREATE INDEX jobs_user_turn_idx ON generation.jobs (user_id, lane, turn)
        WHERE status IN ('queued', 'processing')`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX generation.jobs_user_turn_idx`);
    await q.query(`DROP INDEX generation.jobs_running_turn_idx`);
    await q.query(`DROP INDEX generation.jobs_queue_idx`);
    await q.query(
      `CREATE INDEX jobs_queue_idx ON generation.jobs (lane, created_at) WHERE status = 'queued'`,
    );
    await q.query(`ALTER TABLE generation.jobs DROP COLUMN turn`);
  }
}
