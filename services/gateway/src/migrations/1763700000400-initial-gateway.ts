import type { MigrationInterface, QueryRunner } from 'typeorm';

export class InitialGateway1763700000400 implements MigrationInterface {
  name = 'InitialGateway1763700000400';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE gateway.idempotency_keys (
        user_id uuid NOT NULL,
        key text NOT NULL,
        request_hash text NOT NULL,
        state text NOT NULL CHECK (state IN ('in_progress', 'done')),
        response_status int,
        response_body jsonb,
        created_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT idempotency_keys_pkey PRIMARY KEY (user_id, key)
      )`);
    await q.query(
      `CREATE INDEX idempotency_keys_created_idx ON gateway.idempotency_keys (created_at)`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE gateway.idempotency_keys`);
  }
}
