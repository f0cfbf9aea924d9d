import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Channels beyond the feed: who each user is (brand, email address), what they
 * chose per category and channel (only differences from the defaults are stored),
 * and one delivery per notification and channel with its status, attempts and
 * last error — `dead` is the dead-letter record operations read.
 */
export class DeliveryChannels1764000000300 implements MigrationInterface {
  name = 'DeliveryChannels1764000000300';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE notifications.recipients (
        user_id uuid PRIMARY KEY,
        brand text NOT NULL,
        email text,
        created_at timestamptz NOT NULL
      )`);
    await q.query(`
      CREATE TABLE notifications.preferences (
        user_id uuid NOT NULL,
        category text NOT NULL,
        channel text NOT NULL,
        enabled boolean NOT NULL,
        updated_at timestamptz NOT NULL,
        PRIMARY KEY (user_id, category, channel)
      )`);
    await q.query(`
      CREATE TABLE notifications.deliveries (
        id uuid PRIMARY KEY,
        event_id text NOT NULL,
        user_id uuid NOT NULL,
        channel text NOT NULL,
        category text NOT NULL,
        address text NOT NULL,
        subject text NOT NULL,
        text_body text NOT NULL,
        html_body text NOT NULL,
        sender text NOT NULL,
        status text NOT NULL CHECK (status IN ('pending', 'sent', 'dead')),
        attempts int NOT NULL DEFAULT 0,
        next_attempt_at timestamptz NOT NULL,
        last_error text,
        sent_at timestamptz,
        created_at timestamptz NOT NULL,
        UNIQUE (event_id, user_id, channel)
      )`);
    await q.query(
      `CREATE INDEX deliveries_due_idx ON notifications.deliveries (next_attempt_at) WHERE status = 'pending'`,
    );
    await q.query(`CREATE INDEX deliveries_user_idx ON notifications.deliveries (user_id)`);
    await q.query(
      `CREATE INDEX deliveries_dead_idx ON notifications.deliveries (created_at DESC) WHERE status = 'dead'`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE notifications.deliveries`);
    await q.query(`DROP TABLE notifications.preferences`);
    await q.query(`DROP TABLE notifications.recipients`);
  }
}
