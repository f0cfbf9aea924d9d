import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * What a real payment processor needs kept: the processor's customer per user,
 * the webhook events already handled (each is handled once), and charges the
 * processor took but the platform did not fulfil (found by reconciliation,
 * refunded in full).
 */
export class Stripe1764000000000 implements MigrationInterface {
  name = 'Stripe1764000000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE billing.processor_customers (
        user_id uuid NOT NULL,
        processor text NOT NULL,
        reference text NOT NULL,
        created_at timestamptz NOT NULL,
        PRIMARY KEY (user_id, processor)
      )`);
    await q.query(`
      CREATE TABLE billing.processor_events (
        processor text NOT NULL,
        event_id text NOT NULL,
        type text NOT NULL,
        outcome text NOT NULL,
        received_at timestamptz NOT NULL,
        PRIMARY KEY (processor, event_id)
      )`);
    await q.query(
      `ALTER TABLE billing.charges ADD COLUMN unfulfilled boolean NOT NULL DEFAULT false`,
    );
    await q.query(`CREATE INDEX refunds_processor_ref_idx ON billing.refunds (processor_ref)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX billing.refunds_processor_ref_idx`);
    await q.query(`ALTER TABLE billing.charges DROP COLUMN unfulfilled`);
    await q.query(`DROP TABLE billing.processor_events`);
    await q.query(`DROP TABLE billing.processor_customers`);
  }
}
