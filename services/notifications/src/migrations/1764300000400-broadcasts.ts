import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Broadcasts: one message for many users (an incident names thousands). The
 * message is kept once; each user waiting for it is a row, removed when their
 * notification is written.
 */
export class Broadcasts1764300000400 implements MigrationInterface {
  name = 'Broadcasts1764300000400';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE notifications.broadcasts (
        id text PRIMARY KEY,
        message jsonb NOT NULL,
        data jsonb NOT NULL,
        created_at timestamptz NOT NULL
      )`);
    await q.query(`
      CREATE TABLE notifications.broadcast_recipients (
        broadcast_id text NOT NULL REFERENCES notifications.broadcasts (id) ON DELETE CASCADE,
        user_id uuid NOT NULL,
        PRIMARY KEY (broadcast_id, user_id)
      )`);
    await q.query(
      `CREATE INDEX broadcast_recipients_user_idx ON notifications.broadcast_recipients (user_id)`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE notifications.broadcast_recipients`);
    await q.query(`DROP TABLE notifications.broadcasts`);
  }
}
