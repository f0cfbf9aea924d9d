import type { MigrationInterface, QueryRunner } from 'typeorm';
import { accountStandingTableSql } from '@fluxnote/platform';

/** The latest account status heard from accounts (new work waits while it is not active). */
export class AccountStanding1764200000000 implements MigrationInterface {
  name = 'AccountStanding1764200000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(accountStandingTableSql('billing'));
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE billing.account_standing`);
  }
}
