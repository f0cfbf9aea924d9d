import type { EntityManager } from 'typeorm';
import type { Sql } from '@fluxnote/persistence';
import type { TicketRow } from './tickets.repository';

/**
 * The agent desk's reads and writes of `support.tickets`. The queue's order is `queue_rank`,
 * the column intake.rules.ts's agent-queue order generates (intake.rules.int-spec.ts checks
 * they agree), then the due time; agent-desk.service.ts decides who may take what.
 */
export const deskRows = {
  /** Open tickets in the desk's order; those for senior agents only when `senior`. */
  async queue(sql: Sql, senior: boolean, limit: number): Promise<TicketRow[]> {
    return sql.query<TicketRow[]>(
      `SELECT * FROM support.tickets
        WHERE status = 'open' AND ($1 OR NOT for_seniors)
        ORDER BY queue_rank, due_at LIMIT $2`,
      [senior, limit],
    );
  },

  /** Gives the agent the first open, unclaimed ticket in the desk's order; undefined if none. */
  async claimFirst(
    manager: EntityManager,
    agentId: string,
    senior: boolean,
    at: Date,
  ): Promise<{ id: string; userId: string } | undefined> {
    const [rows] = await manager.query<[{ id: string; user_id: string }[], number]>(
      `UPDATE support.tickets SET claimed_by = $1, claimed_at = $2
        WHERE id = (SELECT id FROM support.tickets
                     WHERE status = 'open' AND claimed_by IS NULL AND ($3 OR NOT for_seniors)
                     ORDER BY queue_rank, due_at LIMIT 1 FOR UPDATE SKIP LOCKED)
        RETURNING id, user_id`,
      [agentId, at, senior],
    );
    return rows[0] && { id: rows[0].id, userId: rows[0].user_id };
  },

  /** Answered by the agent: the first response (if it is the first), claimed if it was not. */
  async markAnswered(
    manager: EntityManager,
    ticketId: string,
    agentId: string,
    at: Date,
  ): Promise<void> {
    await manager.query(
      `UPDATE support.tickets SET status = 'answered', first_response_at = COALESCE(first_response_at, $2),
         claimed_by = COALESCE(claimed_by, $3), claimed_at = COALESCE(claimed_at, $2)
        WHERE id = $1`,
      [ticketId, at, agentId],
    );
  },
};
