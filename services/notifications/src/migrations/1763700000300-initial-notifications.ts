import type { MigrationInterface, QueryRunner } from 'typeorm';
import { messagingTablesSql } from '@fluxnote/messaging';

export class InitialNotifications1763700000300 implements MigrationInterface {
  name = 'InitialNotifications1763700000300';

  async up(q: QueryRunner): Promise<void> {
    for (const sql of messagingTablesSql('notifications')) {
      await q.query(sql);
    }
    await q.query(`
      CREATE TABLE notifications.notifications (
        id uuid PRIMARY KEY,
        user_id uuid NOT NULL,
        event_id text NOT NULL,
        category text NOT NULL,
        title text NOT NULL,
        body text NOT NULL,
        data jsonb NOT NULL DEFAULT '{}',
        created_at timestamptz NOT NULL DEFAULT now(),
        read_at timestamptz,
        CONSTRAINT notifications_event_id_key UNIQUE (event_id)
      )`);
    await q.query(
      `CREATE INDEX notifications_user_feed_idx ON notifications.notifications (user_id, created_at DESC, id DESC)`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    for (const table of ['notifications', 'inbox', 'outbox']) {
      await q.query(`DROP TABLE notifications.${table}`);
    }
  }
}
