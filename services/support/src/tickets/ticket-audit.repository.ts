import { randomUUID } from 'node:crypto';
import type { EntityManager } from 'typeorm';

export interface AuditEntry {
  ticketId: string;
  /** Null for what support does by itself (an escalation). */
  actorId: string | null;
  action: string;
  before: Record<string, unknown>;
  after: Record<string, unknown>;
  at: Date;
  /** For actions on other services: the same key again (a retry) is not audited twice. */
  key?: string;
}

/** One line of a ticket's audit: who did what, when, and the ticket (or account) before and after. */
export async function recordAudit(manager: EntityManager, entry: AuditEntry): Promise<void> {
  await manager.query(
    `INSERT INTO support.ticket_audit (id, ticket_id, actor_id, action, before, after, created_at, action_key)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (action_key) DO NOTHING`,
    [
      randomUUID(),
      entry.ticketId,
      entry.actorId,
      entry.action,
      JSON.stringify(entry.before),
      JSON.stringify(entry.after),
      entry.at,
      entry.key ?? null,
    ],
  );
}
