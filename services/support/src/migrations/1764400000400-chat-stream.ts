import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Each message's place in its ticket's live stream. Messages of one ticket are
 * written under the ticket's row lock, so their numbers grow in commit order and
 * a stream resumed after a number misses nothing.
 */
export class ChatStream1764400000400 implements MigrationInterface {
  name = 'ChatStream1764400000400';

  async up(q: QueryRunner): Promise<void> {
    await q.query(
      `ALTER TABLE support.ticket_messages ADD COLUMN seq bigint GENERATED ALWAYS AS IDENTITY`,
    );
    await q.query(
      `CREATE INDEX ticket_messages_stream_idx ON support.ticket_messages (ticket_id, seq)`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE support.ticket_messages DROP COLUMN seq`);
  }
}
