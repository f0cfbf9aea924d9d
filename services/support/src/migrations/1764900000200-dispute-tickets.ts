import type { MigrationInterface, QueryRunner } from 'typeorm';

/** A bank dispute's ticket names the dispute: one ticket per dispute, however often billing says so. */
export class DisputeTickets1764900000200 implements MigrationInterface {
  name = 'DisputeTickets1764900000200';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE support.tickets ADD COLUMN dispute_id text UNIQUE`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE support.tickets DROP COLUMN dispute_id`);
  }
}
