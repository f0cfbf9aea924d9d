import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Mobile push: the device tokens each user registered, and push deliveries —
 * one per notification and device (`address` is the token; `subject` and
 * `text_body` carry the title and body; no HTML, no sender). A delivery to a
 * device that is no longer registered ends `discarded`, not dead. Deliveries
 * carry a priority, so a broadcast to thousands queues behind personal messages.
 */
export class Push1764300000300 implements MigrationInterface {
  name = 'Push1764300000300';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE notifications.push_devices (
        token text PRIMARY KEY,
        user_id uuid NOT NULL,
        platform text NOT NULL CHECK (platform IN ('ios', 'android', 'web')),
        registered_at timestamptz NOT NULL
      )`);
    await q.query(`CREATE INDEX push_devices_user_idx ON notifications.push_devices (user_id)`);
    await q.query(`
      ALTER TABLE notifications.deliveries
        ALTER COLUMN html_body DROP NOT NULL,
        ALTER COLUMN sender DROP NOT NULL,
        ADD COLUMN link text,
        ADD COLUMN priority smallint NOT NULL DEFAULT 0,
        DROP CONSTRAINT deliveries_status_check,
        ADD CONSTRAINT deliveries_status_check CHECK (status IN ('pending', 'sent', 'dead', 'discarded')),
        DROP CONSTRAINT deliveries_event_id_user_id_channel_key,
        ADD CONSTRAINT deliveries_once UNIQUE (event_id, user_id, channel, address)`);
    await q.query(`DROP INDEX notifications.deliveries_due_idx`);
    await q.query(
      `CREATE INDEX deliveries_due_idx ON notifications.deliveries (priority, next_attempt_at) WHERE status = 'pending'`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX notifications.deliveries_due_idx`);
    await q.query(`DELETE FROM notifications.deliveries WHERE channel <> 'email'`);
    await q.query(`
      ALTER TABLE notifications.deliveries
        DROP CONSTRAINT deliveries_once,
        ADD CONSTRAINT deliveries_event_id_user_id_channel_key UNIQUE (event_id, user_id, channel),
        DROP CONSTRAINT deliveries_status_check,
        ADD CONSTRAINT deliveries_status_check CHECK (status IN ('pending', 'sent', 'dead')),
        DROP COLUMN priority,
        DROP COLUMN link,
        ALTER COLUMN sender SET NOT NULL,
        ALTER COLUMN html_body SET NOT NULL`);
    await q.query(
      `CREATE INDEX deliveries_due_idx ON notifications.deliveries (next_attempt_at) WHERE status = 'pending'`,
    );
    await q.query(`DROP TABLE notifications.push_devices`);
  }
}
