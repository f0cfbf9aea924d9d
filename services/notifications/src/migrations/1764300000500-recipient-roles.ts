import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Each recipient's roles, as accounts announced them: operations alerts go to admins. */
export class RecipientRoles1764300000500 implements MigrationInterface {
  name = 'RecipientRoles1764300000500';

  async up(q: QueryRunner): Promise<void> {
    await q.query(
      `ALTER TABLE notifications.recipients ADD COLUMN roles text[] NOT NULL DEFAULT '{}'`,
    );
    await q.query(
      `CREATE INDEX recipients_admin_idx ON notifications.recipients (user_id) WHERE 'admin' = ANY (roles)`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE notifications.recipients DROP COLUMN roles`);
  }
}
