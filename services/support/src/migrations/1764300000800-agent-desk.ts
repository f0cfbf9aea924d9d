import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Who holds each ticket, and the audit of every agent action (agent, time, ticket, before and after). */
export class AgentDesk1764300000800 implements MigrationInterface {
  name = 'AgentDesk1764300000800';

  async up(q: QueryRunner): Promise<void> {
    await q.query(
      `ALTER TABLE support.tickets ADD COLUMN claimed_by uuid, ADD COLUMN claimed_at timestamptz`,
    );
    await q.query(`
      CREATE TABLE support.ticket_audit (
        id uuid PRIMARY KEY,
        ticket_id uuid NOT NULL REFERENCES support.tickets (id) ON DELETE CASCADE,
        -- cleared if the agent's own account is deleted (the record of the action stays)
        actor_id uuid,
        action text NOT NULL,
        before jsonb NOT NULL,
        after jsonb NOT NULL,
        created_at timestamptz NOT NULL
      )`);
    await q.query(`ALTER TABLE support.ticket_messages ALTER COLUMN author_id DROP NOT NULL`);
    await q.query(
      `CREATE INDEX ticket_audit_ticket_idx ON support.ticket_audit (ticket_id, created_at)`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE support.ticket_audit`);
    await q.query(`DELETE FROM support.ticket_messages WHERE author_id IS NULL`);
    await q.query(`ALTER TABLE support.ticket_messages ALTER COLUMN author_id SET NOT NULL`);
    await q.query(`ALTER TABLE support.tickets DROP COLUMN claimed_at, DROP COLUMN claimed_by`);
  }
}
