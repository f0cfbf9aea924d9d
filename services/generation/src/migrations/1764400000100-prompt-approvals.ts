import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Prompts support found blocked by a false positive: one approval per blocked
 * job, and the user's approved prompts (normalised) that pass from then on.
 */
export class PromptApprovals1764400000100 implements MigrationInterface {
  name = 'PromptApprovals1764400000100';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE generation.prompt_approvals (
        job_id uuid PRIMARY KEY REFERENCES generation.jobs (id) ON DELETE CASCADE,
        user_id uuid NOT NULL,
        prompt_key text NOT NULL,
        -- cleared if the agent's own account is deleted
        agent_id uuid,
        ticket_id uuid,
        note text NOT NULL,
        approved_at timestamptz NOT NULL
      )`);
    await q.query(
      `CREATE INDEX prompt_approvals_user_prompt_idx ON generation.prompt_approvals (user_id, prompt_key)`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE generation.prompt_approvals`);
  }
}
