import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { Clock } from '@fluxnote/clock';
import { chargeFailedV1, chargeSucceededV1 } from '@fluxnote/contracts';
import { Outbox } from '@fluxnote/messaging';
import { money, type Currency, type Money } from '../money/money';
import { PaymentProcessor } from '../payments/payment-processor';
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
    createdAt: r.created_at,
  };
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
          });
    const rows = await manager.query<ChargeRow[]>(
      `INSERT INTO billing.charges (id, user_id, brand, kind, plan, interval, pack, previous_plan, previous_interval,
         amount, currency, period_start, period_end, status, failure_reason, processor, processor_ref, payment_method,
         idempotency_key, created_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20)
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
        outcome.status === 'succeeded' ? outcome.reference : null,
        request.paymentMethod,
        request.idempotencyKey,
        this.clock.now(),
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
