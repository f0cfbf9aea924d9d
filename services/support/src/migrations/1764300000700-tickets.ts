import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Who the customers are (brand, plan, roles — from accounts' and billing's
 * events), their tickets with category, priority class, tags and first-response
 * target, and each ticket's messages.
 */
export class Tickets1764300000700 implements MigrationInterface {
  name = 'Tickets1764300000700';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE support.customers (
        user_id uuid PRIMARY KEY,
        brand text NOT NULL,
        plan text NOT NULL,
        roles text[] NOT NULL DEFAULT '{}',
        email text
      )`);
    await q.query(`
      CREATE TABLE support.tickets (
        id uuid PRIMARY KEY,
        user_id uuid NOT NULL,
        brand text NOT NULL,
        plan text NOT NULL,
        channel text NOT NULL CHECK (channel IN ('chat', 'email')),
        subject text NOT NULL,
        category text NOT NULL,
        -- 0 security, 1 Max with the priority tag, 2 paid, 3 free: the queue's order, then due_at
        priority_class smallint NOT NULL,
        tags text[] NOT NULL DEFAULT '{}',
        status text NOT NULL CHECK (status IN ('open', 'answered', 'closed')),
        job_ids uuid[] NOT NULL DEFAULT '{}',
        opened_at timestamptz NOT NULL,
        due_at timestamptz NOT NULL,
        first_response_at timestamptz
      )`);
    await q.query(`CREATE INDEX tickets_user_idx ON support.tickets (user_id, opened_at DESC)`);
    await q.query(
      `CREATE INDEX tickets_queue_idx ON support.tickets (priority_class, due_at) WHERE status = 'open'`,
    );
    await q.query(`
      CREATE TABLE support.ticket_messages (
        id uuid PRIMARY KEY,
        ticket_id uuid NOT NULL REFERENCES support.tickets (id) ON DELETE CASCADE,
        author text NOT NULL CHECK (author IN ('user', 'agent')),
        author_id uuid NOT NULL,
        body text NOT NULL,
        created_at timestamptz NOT NULL
      )`);
    await q.query(
      `CREATE INDEX ticket_messages_ticket_idx ON support.ticket_messages (ticket_id, created_at)`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE support.ticket_messages`);
    await q.query(`DROP TABLE support.tickets`);
    await q.query(`DROP TABLE support.customers`);
  }
}
