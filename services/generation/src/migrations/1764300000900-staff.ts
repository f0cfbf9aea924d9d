import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Staff roles as accounts announced them: generation checks admin actions (incidents) itself. */
export class Staff1764300000900 implements MigrationInterface {
  name = 'Staff1764300000900';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE generation.staff (
        user_id uuid PRIMARY KEY,
        roles text[] NOT NULL
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE generation.staff`);
  }
}
