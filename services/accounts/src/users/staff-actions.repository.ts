import { randomUUID } from 'node:crypto';
import type { EntityManager } from 'typeorm';
import type { UserStatus } from './user.entity';

export interface Suspension {
  id: string;
  userId: string;
  rule: string;
  evidence: string[];
  reason: string;
  createdAt: Date;
  appeal: { statement: string; appealedAt: Date; decideBy: Date } | null;
  decision: { decision: 'upheld' | 'overturned'; note: string; decidedAt: Date } | null;
}

interface SuspensionRow {
  id: string;
  user_id: string;
  rule: string;
  evidence: string[];
  reason: string;
  created_at: Date;
  appeal_statement: string | null;
  appealed_at: Date | null;
  decide_by: Date | null;
  decision: 'upheld' | 'overturned' | null;
  decision_note: string | null;
  decided_at: Date | null;
}

function suspensionOf(row: SuspensionRow): Suspension {
  return {
    id: row.id,
    userId: row.user_id,
    rule: row.rule,
    evidence: row.evidence,
    reason: row.reason,
    createdAt: row.created_at,
    appeal:
      row.appeal_statement !== null && row.appealed_at && row.decide_by
        ? { statement: row.appeal_statement, appealedAt: row.appealed_at, decideBy: row.decide_by }
        : null,
    decision:
      row.decision && row.decided_at
        ? { decision: row.decision, note: row.decision_note ?? '', decidedAt: row.decided_at }
        : null,
  };
}

/**
 * The rows of `accounts.suspensions` and the audit trail `accounts.staff_actions`: reads and
 * writes only. Who may suspend, appeal and decide is staff-actions.service.ts.
 */
export const suspensionRows = {
  async insert(
    manager: EntityManager,
    s: Pick<Suspension, 'id' | 'userId' | 'rule' | 'evidence' | 'reason' | 'createdAt'> & {
      suspendedBy: string;
    },
  ): Promise<void> {
    await manager.query(
      `INSERT INTO accounts.suspensions (id, user_id, rule, evidence, reason, suspended_by, created_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7)`,
      [s.id, s.userId, s.rule, s.evidence, s.reason, s.suspendedBy, s.createdAt],
    );
  },

  /** The user's latest suspension. */
  async latestOf(manager: EntityManager, userId: string): Promise<Suspension | null> {
    const [row] = await manager.query<SuspensionRow[]>(
      `SELECT * FROM accounts.suspensions WHERE user_id = $1 ORDER BY created_at DESC LIMIT 1`,
      [userId],
    );
    return row ? suspensionOf(row) : null;
  },

  /** The suspension, locked until the transaction ends. */
  async lock(manager: EntityManager, id: string): Promise<Suspension | null> {
    const [row] = await manager.query<SuspensionRow[]>(
      `SELECT * FROM accounts.suspensions WHERE id = $1 FOR UPDATE`,
      [id],
    );
    return row ? suspensionOf(row) : null;
  },

  async recordAppeal(
    manager: EntityManager,
    id: string,
    appeal: NonNullable<Suspension['appeal']>,
  ): Promise<void> {
    await manager.query(
      `UPDATE accounts.suspensions SET appeal_statement = $2, appealed_at = $3, decide_by = $4 WHERE id = $1`,
      [id, appeal.statement, appeal.appealedAt, appeal.decideBy],
    );
  },

  async recordDecision(
    manager: EntityManager,
    id: string,
    d: NonNullable<Suspension['decision']> & { decidedBy: string },
  ): Promise<void> {
    await manager.query(
      `UPDATE accounts.suspensions SET decision = $2, decision_note = $3, decided_by = $4, decided_at = $5
        WHERE id = $1`,
      [id, d.decision, d.note, d.decidedBy, d.decidedAt],
    );
  },

  /** One line of the audit trail: who did what to the account, from which status to which. */
  async audit(
    manager: EntityManager,
    a: {
      userId: string;
      actorId: string | null;
      action: string;
      before: UserStatus;
      after: UserStatus;
      note: string;
      ticketId: string | null;
      at: Date;
    },
  ): Promise<void> {
    await manager.query(
      `INSERT INTO accounts.staff_actions (id, user_id, actor_id, action, status_before, status_after, note, ticket_id, created_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
      [randomUUID(), a.userId, a.actorId, a.action, a.before, a.after, a.note, a.ticketId, a.at],
    );
  },
};
