import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Email tickets: each message's Message-ID (replies thread by it, and the same
 * message delivered twice is taken once) and its attachments, kept as
 * references (name, type, size, checksum).
 */
export class EmailThreads1764400000300 implements MigrationInterface {
  name = 'EmailThreads1764400000300';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE support.ticket_messages
        ADD COLUMN email_message_id text UNIQUE,
        ADD COLUMN attachments jsonb NOT NULL DEFAULT '[]'`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(
      `ALTER TABLE support.ticket_messages DROP COLUMN attachments, DROP COLUMN email_message_id`,
    );
  }
}
