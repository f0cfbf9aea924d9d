import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Deletions in progress (with the user, until every service has confirmed), and
 * the record that a purge happened — without any personal data or user id.
 */
export class Deletions1764200000300 implements MigrationInterface {
  name = 'Deletions1764200000300';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE accounts.deletions (
        id uuid PRIMARY KEY,
        user_id uuid NOT NULL UNIQUE,
        requested_at timestamptz NOT NULL,
        purge_by timestamptz NOT NULL,
        confirmed text[] NOT NULL DEFAULT '{}',
        alerted_at timestamptz
      )`);
    await q.query(`
      CREATE TABLE accounts.purge_records (
        deletion_id uuid PRIMARY KEY,
        requested_at timestamptz NOT NULL,
        purge_by timestamptz NOT NULL,
        completed_at timestamptz NOT NULL,
        services text[] NOT NULL
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE accounts.purge_records`);
    await q.query(`DROP TABLE accounts.deletions`);
  }
}
