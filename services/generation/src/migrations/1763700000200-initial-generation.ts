import type { MigrationInterface, QueryRunner } from 'typeorm';
import { messagingTablesSql } from '@fluxnote/messaging';

export class InitialGeneration1763700000200 implements MigrationInterface {
  name = 'InitialGeneration1763700000200';

  async up(q: QueryRunner): Promise<void> {
    for (const sql of messagingTablesSql('generation')) {
      await q.query(sql);
    }
    await q.query(`
      CREATE TABLE generation.jobs (
        id uuid PRIMARY KEY,
        user_id uuid NOT NULL,
        idempotency_key text,
        status text NOT NULL,
        model text NOT NULL,
        mode text NOT NULL,
        prompt text NOT NULL,
        duration_sec int NOT NULL,
        aspect_ratio text NOT NULL,
        template text,
        project_id uuid,
        video_credits int NOT NULL,
        image_credits int NOT NULL,
        lane smallint NOT NULL,
        attempts int NOT NULL DEFAULT 0,
        outcome jsonb,
        failure_reason text,
        failure_detail text,
        refunded boolean NOT NULL DEFAULT false,
        output_url text,
        started_at timestamptz,
        heartbeat_at timestamptz,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT jobs_user_idempotency_key UNIQUE (user_id, idempotency_key)
      )`);
    await q.query(
      `CREATE INDEX jobs_queue_idx ON generation.jobs (lane, created_at) WHERE status = 'queued'`,
    );
    await q.query(
      `CREATE INDEX jobs_active_idx ON generation.jobs (status) WHERE status IN ('reserving', 'processing')`,
    );
    await q.query(
      `CREATE INDEX jobs_user_history_idx ON generation.jobs (user_id, created_at DESC, id DESC)`,
    );
    await q.query(`
      CREATE TABLE generation.job_logs (
        id bigserial PRIMARY KEY,
        job_id uuid NOT NULL REFERENCES generation.jobs (id) ON DELETE CASCADE,
        kind text NOT NULL,
        message text NOT NULL,
        data jsonb NOT NULL DEFAULT '{}',
        at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX job_logs_job_idx ON generation.job_logs (job_id, id)`);
    await q.query(`
      CREATE TABLE generation.simulator_models (
        model text PRIMARY KEY,
        failure text,
        latency_ms int
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    for (const table of ['simulator_models', 'job_logs', 'jobs', 'inbox', 'outbox']) {
      await q.query(`DROP TABLE generation.${table}`);
    }
  }
}
