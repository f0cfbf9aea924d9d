import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * How far each ticket has been escalated (near its target, then past it), and
 * its place in the queue: a breached ticket moves up one class (never above
 * security), then the earliest due goes first.
 */
export class Escalations1764400000200 implements MigrationInterface {
  name = 'Escalations1764400000200';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE support.tickets
        ADD COLUMN escalation text CHECK (escalation IN ('near', 'breached')),
        ADD COLUMN queue_rank smallint GENERATED ALWAYS AS (
          CASE WHEN escalation = 'breached' AND priority_class > 0 THEN priority_class - 1
               ELSE priority_class END) STORED`);
    await q.query(`DROP INDEX support.tickets_queue_idx`);
    await q.query(
      `CREATE INDEX tickets_queue_idx ON support.tickets (queue_rank, due_at) WHERE status = 'open'`,
    );
    await q.query(
      `CREATE INDEX tickets_watch_idx ON support.tickets (due_at)
        WHERE status = 'open' AND first_response_at IS NULL AND escalation IS DISTINCT FROM 'breached'`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX support.tickets_watch_idx`);
    await q.query(`DROP INDEX support.tickets_queue_idx`);
    await q.query(`ALTER TABLE support.tickets DROP COLUMN queue_rank, DROP COLUMN escalation`);
    await q.query(
      `CREATE INDEX tickets_queue_idx ON support.tickets (priority_class, due_at) WHERE status = 'open'`,
    );
  }
}
