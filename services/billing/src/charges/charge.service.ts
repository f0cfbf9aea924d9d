import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { Clock } from '@fluxnote/clock';
import { chargeFailedV1, chargeSucceededV1, isUuid } from '@fluxnote/contracts';
import { Outbox } from '@fluxnote/messaging';
import { money, type Currency, type Money } from '../money/money';
import { PaymentProcessor } from '../payments/payment-processor';
import type { Interval, PlanId } from '../plans/plan-catalog';
import { chargeKinds, type ChargeKind } from '../refunds/refund-policy';

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

export interface ChargeRequest {
  userId: string;
  brand: string;
  kind: ChargeKind;
  plan?: PlanId;
  interval?: Interval;
  pack?: string;
  previousPlan?: PlanId;
  previousInterval?: Interval;
  amount: Money;
  periodStart?: Date;
  periodEnd?: Date;
  paymentMethod: string;
  /** The e-mandate the method is charged under, when it is a saved Indian card. */
  mandate?: string;
  description: string;
  /** Derived from what is being paid for, so a retry finds the first attempt instead of paying twice. */
  idempotencyKey: string;
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

function isChargeKind(kind: string | undefined): kind is ChargeKind {
  return chargeKinds.includes(kind as ChargeKind);
}

/** What a charge pays for, as the processor keeps it (strings only); read back by `recordUnfulfilled`. */
export function chargeLabels(request: ChargeRequest): Record<string, string> {
  const labels: Record<string, string> = {
    charge_key: request.idempotencyKey,
    user_id: request.userId,
    brand: request.brand,
    kind: request.kind,
  };
  const optional = {
    plan: request.plan,
    interval: request.interval,
    pack: request.pack,
    period_start: request.periodStart?.toISOString(),
    period_end: request.periodEnd?.toISOString(),
  };
  for (const [name, value] of Object.entries(optional)) {
    if (value !== undefined) {
      labels[name] = value;
    }
  }
  return labels;
}

/** Charges through the payment processor and records every attempt, succeeded or declined. */
@Injectable()
export class ChargeService {
  constructor(
    private readonly processor: PaymentProcessor,
    private readonly outbox: Outbox,
    private readonly clock: Clock,
  ) {}

  /**
   * Charges once per idempotency key: a repeated request answers with the recorded
   * charge; the processor receives the same key, so a crash between its answer and
   * our commit does not charge twice either.
   */
  async charge(
    manager: EntityManager,
    request: ChargeRequest,
  ): Promise<{ charge: Charge; fresh: boolean }> {
    const existing = await this.findByKey(manager, request.idempotencyKey);
    if (existing) {
      return { charge: existing, fresh: false };
    }
    const outcome =
      request.amount.amount === 0
        ? ({ status: 'succeeded', reference: null } as const)
        : await this.processor.charge({
            idempotencyKey: request.idempotencyKey,
            userId: request.userId,
            amount: request.amount,
            description: request.description,
            paymentMethod: request.paymentMethod,
            ...(request.mandate ? { mandate: request.mandate } : {}),
            labels: chargeLabels(request),
          });
    const rows = await manager.query<ChargeRow[]>(
      `INSERT INTO billing.charges (id, user_id, brand, kind, plan, interval, pack, previous_plan, previous_interval,
         amount, currency, period_start, period_end, status, failure_reason, processor, processor_ref, payment_method,
         idempotency_key, created_at, payment_method_kind)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21)
       RETURNING *`,
      [
        randomUUID(),
        request.userId,
        request.brand,
        request.kind,
        request.plan ?? null,
        request.interval ?? null,
        request.pack ?? null,
        request.previousPlan ?? null,
        request.previousInterval ?? null,
        request.amount.amount,
        request.amount.currency,
        request.periodStart ?? null,
        request.periodEnd ?? null,
        outcome.status === 'succeeded' ? 'succeeded' : 'failed',
        outcome.status === 'declined' ? outcome.reason : null,
        this.processor.name,
        outcome.reference ?? null,
        request.paymentMethod,
        request.idempotencyKey,
        this.clock.now(),
        outcome.status === 'succeeded' && 'methodKind' in outcome
          ? (outcome.methodKind ?? null)
          : null,
      ],
    );
    const charge = toCharge(rows[0]);
    if (charge.status === 'succeeded') {
      await this.outbox.add(manager, chargeSucceededV1, charge.userId, {
        chargeId: charge.id,
        userId: charge.userId,
        kind: charge.kind,
        plan: charge.plan,
        pack: charge.pack,
        amount: charge.amount,
      });
    } else {
      await this.outbox.add(manager, chargeFailedV1, charge.userId, {
        userId: charge.userId,
        kind: charge.kind,
        amount: charge.amount,
        reason: charge.failureReason ?? 'declined',
      });
    }
    return { charge, fresh: true };
  }

  /**
   * Reconciliation: the processor reports a payment it took. When the platform has
   * no succeeded charge for it (a crash between the processor's answer and the
   * commit, or an attempt recorded as failed that the processor completed later),
   * records it as an unfulfilled charge under the attempt's key — a retry of the
   * attempt then finds it and does not fulfil it — and returns it for a full
   * refund. Returns null when the payment is already recorded or not the platform's.
   */
  async recordUnfulfilled(
    manager: EntityManager,
    payment: { reference: string; amount: Money; labels: Record<string, string> },
  ): Promise<Charge | null> {
    const { reference, amount, labels } = payment;
    const key = labels.charge_key;
    if (!key || !isUuid(labels.user_id ?? '') || !labels.brand || !isChargeKind(labels.kind)) {
      return null;
    }
    const rows = await manager.query<ChargeRow[]>(
      `SELECT * FROM billing.charges WHERE idempotency_key = $1 OR (processor = $2 AND processor_ref = $3)
        ORDER BY (processor_ref = $3) DESC NULLS LAST FOR UPDATE`,
      [key, this.processor.name, reference],
    );
    const known = rows[0] ? toCharge(rows[0]) : null;
    if (known && known.processorRef === reference && known.status === 'succeeded') {
      return null;
    }
    if (known && known.status === 'failed') {
      const [updated] = await manager.query<[ChargeRow[], number]>(
        `UPDATE billing.charges SET status = 'succeeded', failure_reason = NULL, processor_ref = $2, unfulfilled = true
          WHERE id = $1 RETURNING *`,
        [known.id, reference],
      );
      return toCharge(updated[0]);
    }
    // No record, or the key already paid through another payment: a record of its own.
    const inserted = await manager.query<ChargeRow[]>(
      `INSERT INTO billing.charges (id, user_id, brand, kind, plan, interval, pack, amount, currency, period_start,
         period_end, status, processor, processor_ref, idempotency_key, unfulfilled, created_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, 'succeeded', $12, $13, $14, true, $15) RETURNING *`,
      [
        randomUUID(),
        labels.user_id,
        labels.brand,
        labels.kind,
        labels.plan ?? null,
        labels.interval ?? null,
        labels.pack ?? null,
        amount.amount,
        amount.currency,
        labels.period_start ?? null,
        labels.period_end ?? null,
        this.processor.name,
        reference,
        known ? `${key}#${reference}` : key,
        this.clock.now(),
      ],
    );
    return toCharge(inserted[0]);
  }

  /** The succeeded charge the processor knows by this reference (its payment). */
  async findByReference(manager: EntityManager, reference: string): Promise<Charge | null> {
    const rows = await manager.query<ChargeRow[]>(
      `SELECT * FROM billing.charges WHERE processor = $1 AND processor_ref = $2 AND status = 'succeeded'`,
      [this.processor.name, reference],
    );
    return rows[0] ? toCharge(rows[0]) : null;
  }

  async findByKey(manager: EntityManager, key: string): Promise<Charge | null> {
    return this.findByKeys(manager, [key]);
  }

  async findByKeys(manager: EntityManager, keys: string[]): Promise<Charge | null> {
    const rows = await manager.query<ChargeRow[]>(
      `SELECT * FROM billing.charges WHERE idempotency_key = ANY($1)`,
      [keys],
    );
    return rows[0] ? toCharge(rows[0]) : null;
  }

  /** One of the user's charges, locked when `lock` (refunds of one charge run one at a time). */
  async findForUser(
    manager: EntityManager,
    userId: string,
    chargeId: string,
    lock: boolean,
  ): Promise<Charge | null> {
    const rows = await manager.query<ChargeRow[]>(
      `SELECT * FROM billing.charges WHERE id = $1 AND user_id = $2 ${lock ? 'FOR UPDATE' : ''}`,
      [chargeId, userId],
    );
    return rows[0] ? toCharge(rows[0]) : null;
  }

  async list(manager: EntityManager, userId: string, limit = 100): Promise<Charge[]> {
    const rows = await manager.query<ChargeRow[]>(
      `SELECT * FROM billing.charges WHERE user_id = $1 ORDER BY created_at DESC, id LIMIT $2`,
      [userId, limit],
    );
    return rows.map(toCharge);
  }

  /**
   * An earlier succeeded subscription charge for the same plan period (the
   * later of two is the duplicate).
   */
  async earlierChargeForSamePeriod(manager: EntityManager, charge: Charge): Promise<Charge | null> {
    if (charge.kind !== 'subscription' || !charge.periodStart) {
      return null;
    }
    const rows = await manager.query<ChargeRow[]>(
      `SELECT * FROM billing.charges
        WHERE user_id = $1 AND kind = 'subscription' AND status = 'succeeded' AND period_start = $2 AND id <> $3
          AND (created_at, id) < ($4, $3)
        ORDER BY created_at LIMIT 1`,
      [charge.userId, charge.periodStart, charge.id, charge.createdAt],
    );
    return rows[0] ? toCharge(rows[0]) : null;
  }
}
