import type { MigrationInterface, QueryRunner } from 'typeorm';

/** What a sent (or given-up) delivery that held a one-time secret keeps instead of its text. */
export const SECRET_REMOVED = '(removed once sent: it held a one-time code or link)';

/**
 * A delivery that carries a log-in code or a one-time link keeps it only until it is sent or
 * given up; then its subject and bodies are blanked. Deliveries queued before this change are
 * marked by what they say, and the ones already sent lose their text now.
 */
export class SecretsOnceSent1764500000300 implements MigrationInterface {
  name = 'SecretsOnceSent1764500000300';

  async up(q: QueryRunner): Promise<void> {
    await q.query(
      `ALTER TABLE notifications.deliveries ADD COLUMN holds_secret boolean NOT NULL DEFAULT false`,
    );
    await q.query(
      `UPDATE notifications.deliveries SET holds_secret = true
        WHERE category = 'security'
          AND (subject LIKE '%log-in code%' OR text_body ~ '(unlock|reset-password)\\?token=')`,
    );
    await q.query(
      `UPDATE notifications.deliveries SET subject = $1, text_body = $1, html_body = NULL
        WHERE holds_secret AND status <> 'pending'`,
      [SECRET_REMOVED],
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE notifications.deliveries DROP COLUMN holds_secret`);
  }
}
