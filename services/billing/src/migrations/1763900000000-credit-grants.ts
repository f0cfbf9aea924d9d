import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Credits given by support (goodwill, job-credit refunds): one row per key, so each is given once. */
export class CreditGrants1763900000000 implements MigrationInterface {
  name = 'CreditGrants1763900000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE billing.credit_grants (
        key text PRIMARY KEY,
        user_id uuid NOT NULL,
        video_credits int NOT NULL CHECK (video_credits >= 0),
        image_credits int NOT NULL CHECK (image_credits >= 0),
        reason text NOT NULL,
        agent_id uuid,
        created_at timestamptz NOT NULL,
        CHECK (video_credits + image_credits > 0)
      )`);
    await q.query(`CREATE INDEX credit_grants_user_idx ON billing.credit_grants (user_id)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE billing.credit_grants`);
  }
}
