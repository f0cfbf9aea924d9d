import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Suspensions with their one appeal, and the audit of every status action staff take. */
export class Standing1764200000200 implements MigrationInterface {
  name = 'Standing1764200000200';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE accounts.suspensions (
        id uuid PRIMARY KEY,
        user_id uuid NOT NULL REFERENCES accounts.users (id) ON DELETE CASCADE,
        rule text NOT NULL,
        evidence text[] NOT NULL,
        reason text NOT NULL,
        suspended_by uuid NOT NULL,
        created_at timestamptz NOT NULL,
        appeal_statement text,
        appealed_at timestamptz,
        decide_by timestamptz,
        decision text,
        decision_note text,
        decided_by uuid,
        decided_at timestamptz
      )`);
    await q.query(
      `CREATE INDEX suspensions_user_idx ON accounts.suspensions (user_id, created_at DESC)`,
    );
    await q.query(`
      CREATE TABLE accounts.staff_actions (
        id uuid PRIMARY KEY,
        user_id uuid NOT NULL REFERENCES accounts.users (id) ON DELETE CASCADE,
        actor_id uuid NOT NULL,
        action text NOT NULL,
        status_before text NOT NULL,
        status_after text NOT NULL,
        note text NOT NULL,
        ticket_id text,
        created_at timestamptz NOT NULL
      )`);
    await q.query(
      `CREATE INDEX staff_actions_user_idx ON accounts.staff_actions (user_id, created_at)`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE accounts.staff_actions`);
    await q.query(`DROP TABLE accounts.suspensions`);
  }
}
