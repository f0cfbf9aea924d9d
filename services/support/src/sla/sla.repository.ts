import type { EntityManager } from 'typeorm';
import type { Sql } from '@fluxnote/persistence';
import type { TicketRow } from '../tickets/tickets.repository';

/** A ticket the SLA watch follows, with the escalation raised on it so far. */
export interface WatchedRow extends TicketRow {
  escalation: 'near' | 'breached' | null;
}

export interface EscalatedCount {
  brand: string;
  plan: string;
  /** near (most of the first-response target gone) or breached (past it). */
  standing: 'near' | 'breached';
  tickets: number;
}

/**
 * What the SLA watch and its metric read and write of `support.tickets`. How far along its
 * target a ticket is, is sla-clock.ts (`standingOf` in ticket-standing.ts); sla-watch.ts decides.
 */
export const slaRows = {
  /** Open tickets with no first response and not breached yet, the soonest due first. */
  async waitingForFirstResponse(sql: Sql): Promise<WatchedRow[]> {
    return sql.query<WatchedRow[]>(
      `SELECT * FROM support.tickets
        WHERE status = 'open' AND first_response_at IS NULL AND escalation IS DISTINCT FROM 'breached'
        ORDER BY due_at LIMIT 5000`,
    );
  },

  /**
   * Raises the ticket's escalation from `from` to `to` if it is still open, unanswered and at
   * `from`; false when it was answered meanwhile or another pass got there first.
   */
  async escalate(
    manager: EntityManager,
    ticketId: string,
    from: WatchedRow['escalation'],
    to: 'near' | 'breached',
  ): Promise<boolean> {
    const [updated] = await manager.query<[unknown[], number]>(
      `UPDATE support.tickets SET escalation = $2
        WHERE id = $1 AND status = 'open' AND first_response_at IS NULL
          AND escalation IS NOT DISTINCT FROM $3
        RETURNING id`,
      [ticketId, to, from],
    );
    return updated.length > 0;
  },
};

/** Open tickets still waiting for their first response, near or past their target. */
export async function escalatedTickets(sql: Sql): Promise<EscalatedCount[]> {
  const rows = await sql.query<
    { brand: string; plan: string; escalation: 'near' | 'breached'; tickets: number }[]
  >(
    `SELECT brand, plan, escalation, count(*)::int AS tickets FROM support.tickets
      WHERE status = 'open' AND first_response_at IS NULL AND escalation IS NOT NULL
      GROUP BY brand, plan, escalation ORDER BY brand, plan, escalation`,
  );
  return rows.map((r) => ({
    brand: r.brand,
    plan: r.plan,
    standing: r.escalation,
    tickets: r.tickets,
  }));
}
