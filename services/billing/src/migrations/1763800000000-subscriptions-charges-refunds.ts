import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Subscriptions (on the billing account), charges and refunds. Money is bigint minor units with a currency. */
export class SubscriptionsChargesRefunds1763800000000 implements MigrationInterface {
  name = 'SubscriptionsChargesRefunds1763800000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE billing.credit_accounts
        ADD COLUMN interval text NOT NULL DEFAULT 'month' CHECK (interval IN ('month', 'year')),
        ADD COLUMN currency text NOT NULL DEFAULT 'USD' CHECK (currency IN ('USD', 'INR')),
        ADD COLUMN country text,
        ADD COLUMN term_start timestamptz,
        ADD COLUMN term_end timestamptz,
        ADD COLUMN pending_plan text,
        ADD COLUMN pending_interval text CHECK (pending_interval IN ('month', 'year')),
        ADD COLUMN payment_method text,
        ADD COLUMN ended_at timestamptz`);
    await q.query(
      `CREATE INDEX credit_accounts_period_end_idx ON billing.credit_accounts (period_end)`,
    );
    await q.query(`
      CREATE TABLE billing.charges (
        id uuid PRIMARY KEY,
        user_id uuid NOT NULL,
        brand text NOT NULL,
        kind text NOT NULL CHECK (kind IN ('subscription', 'upgrade', 'credit_pack')),
        plan text,
        interval text CHECK (interval IN ('month', 'year')),
        pack text,
        previous_plan text,
        previous_interval text,
        amount bigint NOT NULL CHECK (amount >= 0),
        currency text NOT NULL CHECK (currency IN ('USD', 'INR')),
        period_start timestamptz,
        period_end timestamptz,
        status text NOT NULL CHECK (status IN ('succeeded', 'failed')),
        failure_reason text,
        processor text NOT NULL,
        processor_ref text,
        payment_method text,
        idempotency_key text NOT NULL UNIQUE,
        created_at timestamptz NOT NULL
      )`);
    await q.query(`CREATE INDEX charges_user_idx ON billing.charges (user_id, created_at DESC)`);
    await q.query(
      `CREATE UNIQUE INDEX charges_processor_ref_idx ON billing.charges (processor, processor_ref) WHERE processor_ref IS NOT NULL`,
    );
    await q.query(`
      CREATE TABLE billing.refunds (
        id uuid PRIMARY KEY,
        charge_id uuid NOT NULL REFERENCES billing.charges (id),
        user_id uuid NOT NULL,
        source text NOT NULL CHECK (source IN ('policy', 'automatic', 'goodwill')),
        kind text,
        reason text NOT NULL,
        decision text NOT NULL CHECK (decision IN ('approved', 'rejected', 'review')),
        status text NOT NULL CHECK (status IN ('pending', 'succeeded', 'failed', 'none')),
        amount bigint NOT NULL CHECK (amount >= 0),
        currency text NOT NULL,
        rule text NOT NULL,
        explanation text NOT NULL,
        action text NOT NULL,
        agent_id uuid,
        processor_ref text,
        idempotency_key text NOT NULL UNIQUE,
        created_at timestamptz NOT NULL,
        settled_at timestamptz,
        CHECK ((decision = 'approved') = (amount > 0))
      )`);
    await q.query(`CREATE INDEX refunds_charge_idx ON billing.refunds (charge_id)`);
    await q.query(`CREATE INDEX refunds_user_idx ON billing.refunds (user_id, created_at DESC)`);
    await q.query(
      `CREATE INDEX refunds_pending_idx ON billing.refunds (created_at) WHERE status = 'pending'`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE billing.refunds`);
    await q.query(`DROP TABLE billing.charges`);
    await q.query(`
      ALTER TABLE billing.credit_accounts
        DROP COLUMN interval, DROP COLUMN currency, DROP COLUMN country, DROP COLUMN term_start,
        DROP COLUMN term_end, DROP COLUMN pending_plan, DROP COLUMN pending_interval,
        DROP COLUMN payment_method, DROP COLUMN ended_at`);
  }
}
