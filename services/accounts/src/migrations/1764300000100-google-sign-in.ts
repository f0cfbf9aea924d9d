import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Accounts linked to a Google account, found by Google's stable id. */
export class GoogleSignIn1764300000100 implements MigrationInterface {
  name = 'GoogleSignIn1764300000100';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE accounts.users ADD COLUMN google_subject text`);
    await q.query(
      `ALTER TABLE accounts.users ADD CONSTRAINT users_google_subject_key UNIQUE (google_subject)`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE accounts.users DROP COLUMN google_subject`);
  }
}
