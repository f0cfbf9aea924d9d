import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { Clock } from '@fluxnote/clock';
import { chargeFailedV1, chargeSucceededV1, isUuid } from '@fluxnote/contracts';
import { Outbox } from '@fluxnote/messaging';
import type { Money } from '../money/money';
import { PaymentProcessor } from '../payments/payment-processor';
import type { Interval, PlanId } from '../plans/plan-catalog';
import { chargeKinds, type ChargeKind } from '../refunds/refund-policy';
import { chargeRows, type Charge } from './charges.repository';

export type { Charge } from './charges.repository';

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
    const charge = await chargeRows.insert(manager, {
      id: randomUUID(),
      userId: request.userId,
      brand: request.brand,
      kind: request.kind,
      plan: request.plan ?? null,
      interval: request.interval ?? null,
      pack: request.pack ?? null,
      previousPlan: request.previousPlan ?? null,
      previousInterval: request.previousInterval ?? null,
      amount: request.amount,
      periodStart: request.periodStart ?? null,
      periodEnd: request.periodEnd ?? null,
      status: outcome.status === 'succeeded' ? 'succeeded' : 'failed',
      failureReason: outcome.status === 'declined' ? outcome.reason : null,
      processor: this.processor.name,
      processorRef: outcome.reference ?? null,
      paymentMethod: request.paymentMethod,
      paymentMethodKind:
        outcome.status === 'succeeded' && 'methodKind' in outcome
          ? (outcome.methodKind ?? null)
          : null,
      unfulfilled: false,
      idempotencyKey: request.idempotencyKey,
      createdAt: this.clock.now(),
    });
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
    const known = await chargeRows.lockByKeyOrPayment(manager, key, this.processor.name, reference);
    if (known && known.processorRef === reference && known.status === 'succeeded') {
      return null;
    }
    if (known && known.status === 'failed') {
      return chargeRows.paidUnfulfilled(manager, known.id, reference);
    }
    // No record, or the key already paid through another payment: a record of its own.
    const date = (iso: string | undefined) => (iso ? new Date(iso) : null);
    return chargeRows.insert(manager, {
      id: randomUUID(),
      userId: labels.user_id,
      brand: labels.brand,
      kind: labels.kind,
      plan: (labels.plan as PlanId | undefined) ?? null,
      interval: (labels.interval as Interval | undefined) ?? null,
      pack: labels.pack ?? null,
      previousPlan: null,
      previousInterval: null,
      amount,
      periodStart: date(labels.period_start),
      periodEnd: date(labels.period_end),
      status: 'succeeded',
      failureReason: null,
      processor: this.processor.name,
      processorRef: reference,
      paymentMethod: null,
      paymentMethodKind: null,
      unfulfilled: true,
      idempotencyKey: known ? `${key}#${reference}` : key,
      createdAt: this.clock.now(),
    });
  }

  /** The succeeded charge the processor knows by this reference (its payment). */
  async findByReference(manager: EntityManager, reference: string): Promise<Charge | null> {
    return chargeRows.succeededByPayment(manager, this.processor.name, reference);
  }

  async findByKey(manager: EntityManager, key: string): Promise<Charge | null> {
    return this.findByKeys(manager, [key]);
  }

  async findByKeys(manager: EntityManager, keys: string[]): Promise<Charge | null> {
    return chargeRows.byKeys(manager, keys);
  }

  /** One of the user's charges, locked when `lock` (refunds of one charge run one at a time). */
  async findForUser(
    manager: EntityManager,
    userId: string,
    chargeId: string,
    lock: boolean,
  ): Promise<Charge | null> {
    return chargeRows.ofUser(manager, userId, chargeId, lock);
  }

  async list(manager: EntityManager, userId: string, limit = 100): Promise<Charge[]> {
    return chargeRows.latestOf(manager, userId, limit);
  }

  /**
   * An earlier succeeded subscription charge for the same plan period (the
   * later of two is the duplicate).
   */
  async earlierChargeForSamePeriod(manager: EntityManager, charge: Charge): Promise<Charge | null> {
    if (charge.kind !== 'subscription' || !charge.periodStart) {
      return null;
    }
    return chargeRows.earlierSubscriptionFor(manager, charge, charge.periodStart);
  }
}
