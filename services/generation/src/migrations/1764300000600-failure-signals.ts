import type { MigrationInterface, QueryRunner } from 'typeorm';

/** When each model last raised a failure-spike alert, and the indexes the failure signals read. */
export class FailureSignals1764300000600 implements MigrationInterface {
  name = 'FailureSignals1764300000600';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE generation.model_alerts (
        model text PRIMARY KEY,
        alerted_at timestamptz NOT NULL
      )`);
    await q.query(
      `CREATE INDEX jobs_user_model_finished_idx ON generation.jobs (user_id, model, updated_at DESC)`,
    );
    await q.query(`CREATE INDEX jobs_model_finished_idx ON generation.jobs (model, updated_at)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX generation.jobs_model_finished_idx`);
    await q.query(`DROP INDEX generation.jobs_user_model_finished_idx`);
    await q.query(`DROP TABLE generation.model_alerts`);
  }
}
