import type { MigrationInterface, QueryRunner } from 'typeorm';
import { accountStandingTableSql } from '@fluxnote/platform';

/** The latest account status heard from accounts (new work waits while it is not active). */
export class AccountStanding1764200000200 implements MigrationInterface {
  name = 'AccountStanding1764200000200';

  async up(q: QueryRunner): Promise<void> {
    await q.query(accountStandingTableSql('generation'));
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE generation.account_standing`);
  }
}
