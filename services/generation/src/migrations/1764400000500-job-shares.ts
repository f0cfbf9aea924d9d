import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Share links: one per job, kept only as the SHA-256 of its unguessable token
 * (the token itself is shown once), gone with the job or when turned off.
 */
export class JobShares1764400000500 implements MigrationInterface {
  name = 'JobShares1764400000500';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE generation.job_shares (
        job_id uuid PRIMARY KEY REFERENCES generation.jobs (id) ON DELETE CASCADE,
        token_hash bytea NOT NULL UNIQUE,
        created_at timestamptz NOT NULL
      )`);
    await q.query(
      `CREATE INDEX jobs_user_project_idx ON generation.jobs (user_id, project_id) WHERE project_id IS NOT NULL`,
    );
    await q.query(
      `CREATE INDEX jobs_cancelled_unreleased_idx ON generation.jobs (id) WHERE status = 'cancelled' AND NOT refunded`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX generation.jobs_cancelled_unreleased_idx`);
    await q.query(`DROP INDEX generation.jobs_user_project_idx`);
    await q.query(`DROP TABLE generation.job_shares`);
  }
}
