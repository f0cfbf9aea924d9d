import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Tickets only senior agents take (security, suspension appeals), and the
 * suspension an appeal ticket is about — one ticket per appeal.
 */
export class AppealTickets1764300000900 implements MigrationInterface {
  name = 'AppealTickets1764300000900';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE support.tickets
        ADD COLUMN for_seniors boolean NOT NULL DEFAULT false,
        ADD COLUMN suspension_id uuid UNIQUE`);
    await q.query(`UPDATE support.tickets SET for_seniors = true WHERE priority_class = 0`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE support.tickets DROP COLUMN suspension_id, DROP COLUMN for_seniors`);
  }
}
