import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Bank disputes (chargebacks) of billing's charges, one row per processor dispute: the credits
 * frozen while it is open (a reservation keyed `dispute:<id>`), and how it ended.
 */
export class Disputes1764900000100 implements MigrationInterface {
  name = 'Disputes1764900000100';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE billing.disputes (
        id text PRIMARY KEY,
        processor text NOT NULL,
        charge_id uuid NOT NULL REFERENCES billing.charges (id),
        user_id uuid NOT NULL,
        amount bigint NOT NULL CHECK (amount >= 0),
        currency text NOT NULL,
        reason text NOT NULL,
        status text NOT NULL CHECK (status IN ('open', 'won', 'lost')),
        frozen_video int NOT NULL CHECK (frozen_video >= 0),
        frozen_image int NOT NULL CHECK (frozen_image >= 0),
        evidence_due_by timestamptz,
        opened_at timestamptz NOT NULL,
        closed_at timestamptz
      )`);
    await q.query(`CREATE INDEX disputes_user_idx ON billing.disputes (user_id)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE billing.disputes`);
  }
}
