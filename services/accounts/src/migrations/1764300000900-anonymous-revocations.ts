import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A deleted account's ended sessions must stay ended until their access tokens
 * expire, so the purge clears the revocation's user instead of deleting it.
 */
export class AnonymousRevocations1764300000900 implements MigrationInterface {
  name = 'AnonymousRevocations1764300000900';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE accounts.session_revocations ALTER COLUMN user_id DROP NOT NULL`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DELETE FROM accounts.session_revocations WHERE user_id IS NULL`);
    await q.query(`ALTER TABLE accounts.session_revocations ALTER COLUMN user_id SET NOT NULL`);
  }
}
