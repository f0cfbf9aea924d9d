import type { EntityManager } from 'typeorm';
import { money, type Currency, type Money } from '../money/money';
import type { Interval, PlanId } from '../plans/plan-catalog';
import type { ChargeKind } from '../refunds/refund-policy';

export interface Charge {
  id: string;
  userId: string;
  brand: string;
  kind: ChargeKind;
  plan: PlanId | null;
  interval: Interval | null;
  pack: string | null;
  previousPlan: PlanId | null;
  previousInterval: Interval | null;
  amount: Money;
  periodStart: Date | null;
  periodEnd: Date | null;
  status: 'succeeded' | 'failed';
  failureReason: string | null;
  processor: string;
  processorRef: string | null;
  paymentMethod: string | null;
  /** How it was paid (`card`, `upi`), as the processor reported; null when it did not say. */
  paymentMethodKind: string | null;
  /** Paid at the processor but never fulfilled by the platform (found by reconciliation); refunded in full. */
  unfulfilled: boolean;
  createdAt: Date;
}

interface ChargeRow {
  id: string;
  user_id: string;
  brand: string;
  kind: ChargeKind;
  plan: PlanId | null;
  interval: Interval | null;
  pack: string | null;
  previous_plan: PlanId | null;
  previous_interval: Interval | null;
  amount: string;
  currency: Currency;
  period_start: Date | null;
  period_end: Date | null;
  status: 'succeeded' | 'failed';
  failure_reason: string | null;
  processor: string;
  processor_ref: string | null;
  payment_method: string | null;
  payment_method_kind: string | null;
  unfulfilled: boolean;
  created_at: Date;
}

function toCharge(r: ChargeRow): Charge {
  return {
    id: r.id,
    userId: r.user_id,
    brand: r.brand,
    kind: r.kind,
    plan: r.plan,
    interval: r.interval,
    pack: r.pack,
    previousPlan: r.previous_plan,
    previousInterval: r.previous_interval,
    amount: money(Number(r.amount), r.currency),
    periodStart: r.period_start,
    periodEnd: r.period_end,
    status: r.status,
    failureReason: r.failure_reason,
    processor: r.processor,
    processorRef: r.processor_ref,
    paymentMethod: r.payment_method,
    paymentMethodKind: r.payment_method_kind,
    unfulfilled: r.unfulfilled,
    createdAt: r.created_at,
  };
}

/**
 * The rows of `billing.charges`, every attempt succeeded or declined: reads and writes only.
 * When a charge is made, repeated or recorded as unfulfilled is charge.service.ts.
 */
export const chargeRows = {
  async insert(manager: EntityManager, c: Charge & { idempotencyKey: string }): Promise<Charge> {
    const [row] = await manager.query<ChargeRow[]>(
      `INSERT INTO billing.charges (id, user_id, brand, kind, plan, interval, pack, previous_plan, previous_interval,
         amount, currency, period_start, period_end, status, failure_reason, processor, processor_ref, payment_method,
         idempotency_key, created_at, payment_method_kind, unfulfilled)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22)
       RETURNING *`,
      [
        c.id,
        c.userId,
        c.brand,
        c.kind,
        c.plan,
        c.interval,
        c.pack,
        c.previousPlan,
        c.previousInterval,
        c.amount.amount,
        c.amount.currency,
        c.periodStart,
        c.periodEnd,
        c.status,
        c.failureReason,
        c.processor,
        c.processorRef,
        c.paymentMethod,
        c.idempotencyKey,
        c.createdAt,
        c.paymentMethodKind,
        c.unfulfilled,
      ],
    );
    return toCharge(row);
  },

  /**
   * The charge recorded under the key or for the processor's payment, locked until the
   * transaction ends; the payment's own first.
   */
  async lockByKeyOrPayment(
    manager: EntityManager,
    key: string,
    processor: string,
    reference: string,
  ): Promise<Charge | null> {
    const [row] = await manager.query<ChargeRow[]>(
      `SELECT * FROM billing.charges WHERE idempotency_key = $1 OR (processor = $2 AND processor_ref = $3)
        ORDER BY (processor_ref = $3) DESC NULLS LAST FOR UPDATE`,
      [key, processor, reference],
    );
    return row ? toCharge(row) : null;
  },

  /** A charge recorded as failed that the processor took after all: paid, and not fulfilled. */
  async paidUnfulfilled(manager: EntityManager, id: string, reference: string): Promise<Charge> {
    const [rows] = await manager.query<[ChargeRow[], number]>(
      `UPDATE billing.charges SET status = 'succeeded', failure_reason = NULL, processor_ref = $2, unfulfilled = true
        WHERE id = $1 RETURNING *`,
      [id, reference],
    );
    return toCharge(rows[0]);
  },

  async succeededByPayment(
    manager: EntityManager,
    processor: string,
    reference: string,
  ): Promise<Charge | null> {
    const [row] = await manager.query<ChargeRow[]>(
      `SELECT * FROM billing.charges WHERE processor = $1 AND processor_ref = $2 AND status = 'succeeded'`,
      [processor, reference],
    );
    return row ? toCharge(row) : null;
  },

  async byKeys(manager: EntityManager, keys: string[]): Promise<Charge | null> {
    const [row] = await manager.query<ChargeRow[]>(
      `SELECT * FROM billing.charges WHERE idempotency_key = ANY($1)`,
      [keys],
    );
    return row ? toCharge(row) : null;
  },

  /** One of the user's charges, locked until the transaction ends when `lock`. */
  async ofUser(
    manager: EntityManager,
    userId: string,
    chargeId: string,
    lock: boolean,
  ): Promise<Charge | null> {
    const [row] = await manager.query<ChargeRow[]>(
      `SELECT * FROM billing.charges WHERE id = $1 AND user_id = $2 ${lock ? 'FOR UPDATE' : ''}`,
      [chargeId, userId],
    );
    return row ? toCharge(row) : null;
  },

  /** The user's latest charges, newest first. */
  async latestOf(manager: EntityManager, userId: string, limit: number): Promise<Charge[]> {
    const rows = await manager.query<ChargeRow[]>(
      `SELECT * FROM billing.charges WHERE user_id = $1 ORDER BY created_at DESC, id LIMIT $2`,
      [userId, limit],
    );
    return rows.map(toCharge);
  },

  /** The user's first succeeded subscription charge for the period that came before `charge`. */
  async earlierSubscriptionFor(
    manager: EntityManager,
    charge: Charge,
    periodStart: Date,
  ): Promise<Charge | null> {
    const [row] = await manager.query<ChargeRow[]>(
      `SELECT * FROM billing.charges
        WHERE user_id = $1 AND kind = 'subscription' AND status = 'succeeded' AND period_start = $2 AND id <> $3
          AND (created_at, id) < ($4, $3)
        ORDER BY created_at LIMIT 1`,
      [charge.userId, periodStart, charge.id, charge.createdAt],
    );
    return row ? toCharge(row) : null;
  },
};
