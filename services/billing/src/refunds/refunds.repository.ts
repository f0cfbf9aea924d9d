import type { EntityManager } from 'typeorm';
import type { Sql } from '@fluxnote/persistence';
import { money, type Currency, type Money } from '../money/money';
import type { RefundStatus } from '../payments/payment-processor';
import type { RefundAction, RefundDecision, RefundKind } from './refund-policy';

export type RefundSource = 'policy' | 'automatic' | 'goodwill';

export interface Refund {
  id: string;
  chargeId: string;
  userId: string;
  source: RefundSource;
  kind: RefundKind | null;
  reason: string;
  decision: RefundDecision['decision'];
  status: 'pending' | 'succeeded' | 'failed' | 'none';
  amount: Money;
  rule: string;
  explanation: string;
  action: RefundAction;
  agentId: string | null;
  createdAt: Date;
  settledAt: Date | null;
}

interface RefundRow {
  id: string;
  charge_id: string;
  user_id: string;
  source: RefundSource;
  kind: RefundKind | null;
  reason: string;
  decision: RefundDecision['decision'];
  status: Refund['status'];
  amount: string;
  currency: Currency;
  rule: string;
  explanation: string;
  action: RefundAction;
  agent_id: string | null;
  processor_ref: string | null;
  created_at: Date;
  settled_at: Date | null;
}

function toRefund(r: RefundRow): Refund {
  return {
    id: r.id,
    chargeId: r.charge_id,
    userId: r.user_id,
    source: r.source,
    kind: r.kind,
    reason: r.reason,
    decision: r.decision,
    status: r.status,
    amount: money(Number(r.amount), r.currency),
    rule: r.rule,
    explanation: r.explanation,
    action: r.action,
    agentId: r.agent_id,
    createdAt: r.created_at,
    settledAt: r.settled_at,
  };
}

/** A refund as first recorded: its decision, and the processor's first answer if it was sent. */
export type NewRefund = Omit<Refund, 'settledAt'> & {
  idempotencyKey: string;
  processorRef: string | null;
};

/**
 * The rows of `billing.refunds`: reads and writes only. What a refund decides is
 * refund-policy.ts (and billing-errors.rules.ts for the errors the platform finds);
 * refund.service.ts gathers the facts here, asks and records the answer.
 */
export const refundRows = {
  async ofUser(sql: Sql, userId: string): Promise<Refund[]> {
    const rows = await sql.query<RefundRow[]>(
      `SELECT * FROM billing.refunds WHERE user_id = $1 ORDER BY created_at DESC, id LIMIT 100`,
      [userId],
    );
    return rows.map(toRefund);
  },

  /** The oldest refunds still waiting for the processor, with the processor's reference. */
  async pending(sql: Sql, limit: number): Promise<{ processorRef: string | null }[]> {
    const rows = await sql.query<RefundRow[]>(
      `SELECT * FROM billing.refunds WHERE status = 'pending' ORDER BY created_at LIMIT $1`,
      [limit],
    );
    return rows.map((r) => ({ processorRef: r.processor_ref }));
  },

  /** Records the processor's final word, once: null when the refund was not pending. */
  async settle(
    manager: EntityManager,
    processorRef: string,
    status: Exclude<RefundStatus, 'pending'>,
    at: Date,
  ): Promise<Refund | null> {
    const [rows] = await manager.query<[RefundRow[], number]>(
      `UPDATE billing.refunds SET status = $2, settled_at = $3
        WHERE processor_ref = $1 AND status = 'pending' RETURNING *`,
      [processorRef, status, at],
    );
    return rows[0] ? toRefund(rows[0]) : null;
  },

  async byKey(manager: EntityManager, idempotencyKey: string): Promise<Refund | null> {
    const [row] = await manager.query<RefundRow[]>(
      `SELECT * FROM billing.refunds WHERE idempotency_key = $1`,
      [idempotencyKey],
    );
    return row ? toRefund(row) : null;
  },

  /** Records a decision; settled at its creation when the processor's first answer was final. */
  async insert(manager: EntityManager, refund: NewRefund): Promise<Refund> {
    const final = refund.status === 'succeeded' || refund.status === 'failed';
    const [row] = await manager.query<RefundRow[]>(
      `INSERT INTO billing.refunds (id, charge_id, user_id, source, kind, reason, decision, status, amount, currency,
           rule, explanation, action, agent_id, processor_ref, idempotency_key, created_at, settled_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18) RETURNING *`,
      [
        refund.id,
        refund.chargeId,
        refund.userId,
        refund.source,
        refund.kind,
        refund.reason,
        refund.decision,
        refund.status,
        refund.amount.amount,
        refund.amount.currency,
        refund.rule,
        refund.explanation,
        refund.action,
        refund.agentId,
        refund.processorRef,
        refund.idempotencyKey,
        refund.createdAt,
        final ? refund.createdAt : null,
      ],
    );
    return toRefund(row);
  },

  /** What approved refunds of the charge paid or are paying, in the charge's minor units. */
  async refundedOf(manager: EntityManager, chargeId: string): Promise<number> {
    const [row] = await manager.query<{ total: string }[]>(
      `SELECT COALESCE(SUM(amount), 0) AS total FROM billing.refunds
        WHERE charge_id = $1 AND decision = 'approved' AND status IN ('pending', 'succeeded')`,
      [chargeId],
    );
    return Number(row.total);
  },
};
