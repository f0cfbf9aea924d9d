import type { MigrationInterface, QueryRunner } from 'typeorm';
import { messagingTablesSql } from '@fluxnote/messaging';

export class InitialLedger1763700000000 implements MigrationInterface {
  name = 'InitialLedger1763700000000';

  async up(q: QueryRunner): Promise<void> {
    for (const sql of messagingTablesSql('billing')) {
      await q.query(sql);
    }
    await q.query(`
      CREATE TABLE billing.credit_accounts (
        user_id uuid PRIMARY KEY,
        brand text NOT NULL,
        plan text NOT NULL,
        period_start timestamptz NOT NULL,
        period_end timestamptz NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`
      CREATE TABLE billing.credit_balances (
        user_id uuid NOT NULL REFERENCES billing.credit_accounts (user_id) ON DELETE CASCADE,
        pool text NOT NULL CHECK (pool IN ('video', 'image')),
        allowance int NOT NULL CHECK (allowance >= 0),
        used int NOT NULL DEFAULT 0 CHECK (used >= 0),
        reserved int NOT NULL DEFAULT 0 CHECK (reserved >= 0),
        pack_credits int NOT NULL DEFAULT 0 CHECK (pack_credits >= 0),
        CONSTRAINT credit_balances_pkey PRIMARY KEY (user_id, pool)
      )`);
    await q.query(`
      CREATE TABLE billing.reservations (
        key text PRIMARY KEY,
        user_id uuid,
        status text NOT NULL CHECK (status IN ('pending', 'committed', 'released')),
        video_credits int NOT NULL CHECK (video_credits >= 0),
        image_credits int NOT NULL CHECK (image_credits >= 0),
        expires_at timestamptz NOT NULL,
        settled_at timestamptz,
        settle_reason text,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(
      `CREATE INDEX reservations_pending_expiry_idx ON billing.reservations (expires_at) WHERE status = 'pending'`,
    );
    await q.query(`
      CREATE TABLE billing.credit_entries (
        id bigserial PRIMARY KEY,
        user_id uuid NOT NULL,
        pool text NOT NULL,
        kind text NOT NULL,
        amount int NOT NULL,
        reservation_key text,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX credit_entries_user_idx ON billing.credit_entries (user_id, id)`);
  }

  async down(q: QueryRunner): Promise<void> {
    for (const table of [
      'credit_entries',
      'reservations',
      'credit_balances',
      'credit_accounts',
      'inbox',
      'outbox',
    ]) {
      await q.query(`DROP TABLE billing.${table}`);
    }
  }
}
