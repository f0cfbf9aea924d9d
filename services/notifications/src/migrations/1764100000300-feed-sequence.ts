import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A sequence number per feed item: the live stream's event id. One user's items
 * are written by one consumer in event order, so per user the numbers grow in
 * commit order and "everything after N" resumes a stream without gaps.
 */
export class FeedSequence1764100000300 implements MigrationInterface {
  name = 'FeedSequence1764100000300';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE notifications.notifications ADD COLUMN seq bigserial`);
    await q.query(
      `CREATE INDEX notifications_user_seq_idx ON notifications.notifications (user_id, seq)`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX notifications.notifications_user_seq_idx`);
    await q.query(`ALTER TABLE notifications.notifications DROP COLUMN seq`);
  }
}
