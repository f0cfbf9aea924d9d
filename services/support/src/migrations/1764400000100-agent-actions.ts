import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * An agent action that acts on another service is audited once, however often
 * it is retried: its key (the type and what it acted on) is unique.
 */
export class AgentActions1764400000100 implements MigrationInterface {
  name = 'AgentActions1764400000100';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE support.ticket_audit ADD COLUMN action_key text UNIQUE`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE support.ticket_audit DROP COLUMN action_key`);
  }
}
