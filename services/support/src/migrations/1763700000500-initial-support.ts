import type { MigrationInterface, QueryRunner } from 'typeorm';
import { messagingTablesSql } from '@fluxnote/messaging';

/** The support schema with its outbox and inbox; tickets arrive with the ticketing feature. */
export class InitialSupport1763700000500 implements MigrationInterface {
  name = 'InitialSupport1763700000500';

  async up(q: QueryRunner): Promise<void> {
    for (const sql of messagingTablesSql('support')) {
      await q.query(sql);
    }
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE support.inbox`);
    await q.query(`DROP TABLE support.outbox`);
  }
}
