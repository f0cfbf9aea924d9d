import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Status actions the platform takes by itself (a SECURITY ticket freezes at once) have no staff actor. */
export class SystemActions1764300000800 implements MigrationInterface {
  name = 'SystemActions1764300000800';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE accounts.staff_actions ALTER COLUMN actor_id DROP NOT NULL`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DELETE FROM accounts.staff_actions WHERE actor_id IS NULL`);
    await q.query(`ALTER TABLE accounts.staff_actions ALTER COLUMN actor_id SET NOT NULL`);
  }
}
