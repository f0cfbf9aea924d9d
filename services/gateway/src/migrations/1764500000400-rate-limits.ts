import type { MigrationInterface, QueryRunner } from 'typeorm';
import { rateLimitsTableSql } from '@fluxnote/platform';

/** Counters of the rate limits on sign-up, password resets, tickets and uploads. */
export class RateLimits1764500000400 implements MigrationInterface {
  name = 'RateLimits1764500000400';

  async up(q: QueryRunner): Promise<void> {
    await q.query(rateLimitsTableSql('gateway'));
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE gateway.rate_limits`);
  }
}
