import type { MigrationInterface, QueryRunner } from 'typeorm';
import { rateLimitsTableSql } from '@fluxnote/platform';

/** Counters of the rate limits on emailed log-in codes. */
export class RateLimits1764500000200 implements MigrationInterface {
  name = 'RateLimits1764500000200';

  async up(q: QueryRunner): Promise<void> {
    await q.query(rateLimitsTableSql('accounts'));
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE accounts.rate_limits`);
  }
}
