import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Incidents operations declared on a model, and the index that finds its recent users. */
export class Incidents1764300000200 implements MigrationInterface {
  name = 'Incidents1764300000200';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE generation.incidents (
        id uuid PRIMARY KEY,
        model text NOT NULL,
        message text NOT NULL,
        eta timestamptz,
        alternative text,
        -- the admin who declared it (cleared if that account is deleted)
        declared_by uuid,
        declared_at timestamptz NOT NULL,
        affected_users int NOT NULL
      )`);
    await q.query(`CREATE INDEX jobs_model_recent_idx ON generation.jobs (model, created_at)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX generation.jobs_model_recent_idx`);
    await q.query(`DROP TABLE generation.incidents`);
  }
}
