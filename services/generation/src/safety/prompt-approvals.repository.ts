import type { EntityManager } from 'typeorm';
import type { Sql } from '@fluxnote/persistence';

/** Who approved a blocked prompt, and when. */
export interface Approval {
  approvedAt: Date;
  agentId: string | null;
}

/** The rows of `generation.prompt_approvals`: reads and writes only. */
export const approvalRows = {
  /** Records the approval of the job's prompt, once per job; null when it was approved before. */
  async insert(
    manager: EntityManager,
    a: {
      jobId: string;
      userId: string;
      promptKey: string;
      agentId: string | null;
      ticketId: string | null;
      note: string;
      at: Date;
    },
  ): Promise<Approval | null> {
    const [row] = await manager.query<{ approved_at: Date; agent_id: string | null }[]>(
      `INSERT INTO generation.prompt_approvals (job_id, user_id, prompt_key, agent_id, ticket_id, note, approved_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (job_id) DO NOTHING
       RETURNING approved_at, agent_id`,
      [a.jobId, a.userId, a.promptKey, a.agentId, a.ticketId, a.note, a.at],
    );
    return row ? { approvedAt: row.approved_at, agentId: row.agent_id } : null;
  },

  async ofJob(sql: Sql, jobId: string): Promise<Approval> {
    const [row] = await sql.query<{ approved_at: Date; agent_id: string | null }[]>(
      `SELECT approved_at, agent_id FROM generation.prompt_approvals WHERE job_id = $1`,
      [jobId],
    );
    return { approvedAt: row.approved_at, agentId: row.agent_id };
  },

  /** Whether a prompt with this key was approved for the user. */
  async covers(sql: Sql, userId: string, promptKey: string): Promise<boolean> {
    const rows = await sql.query<unknown[]>(
      `SELECT 1 FROM generation.prompt_approvals WHERE user_id = $1 AND prompt_key = $2 LIMIT 1`,
      [userId, promptKey],
    );
    return rows.length > 0;
  },
};
