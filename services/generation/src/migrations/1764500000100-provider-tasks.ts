import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A job's task at an HTTP model provider: created once per job (the provider dedupes by the
 * job id), resumed after a worker crash, and updated by polls and signed webhooks alike.
 * Gone with the job.
 */
export class ProviderTasks1764500000100 implements MigrationInterface {
  name = 'ProviderTasks1764500000100';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE generation.provider_tasks (
        job_id uuid PRIMARY KEY REFERENCES generation.jobs (id) ON DELETE CASCADE,
        provider text NOT NULL,
        task_id text NOT NULL,
        status text NOT NULL,
        output_url text,
        error text,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        UNIQUE (provider, task_id)
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE generation.provider_tasks`);
  }
}
