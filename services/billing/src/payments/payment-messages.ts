import { billingPaymentsV1 as v1, ProblemError } from '@fluxnote/contracts';
import type { Charge } from '../charges/charge.service';
import { isCurrency, type Money } from '../money/money';
import type { Interval } from '../plans/plan-catalog';
import { refundKinds, type RefundDecision, type RefundKind } from '../refunds/refund-policy';
import type { Refund } from '../refunds/refund.service';
import type { SubscriptionView } from '../subscriptions/subscription.service';

/** Billing's answers as its gRPC messages, and the checks of what a request carries: one mapper per type. */
export const iso = (d: Date | null): string => (d ? d.toISOString() : '');
export const moneyOut = (m: Money): v1.Money => ({ amount: m.amount, currency: m.currency });

export function subscriptionOut(s: SubscriptionView): v1.Subscription {
  return {
    plan: s.plan,
    interval: s.interval,
    currency: s.currency,
    status: s.status,
    periodStart: iso(s.periodStart),
    periodEnd: iso(s.periodEnd),
    pendingChange: s.pendingChange
      ? {
          plan: s.pendingChange.plan,
          interval: s.pendingChange.interval,
          effectiveAt: iso(s.pendingChange.effectiveAt),
        }
      : undefined,
    paymentMethod: s.paymentMethod ?? '',
  };
}

export function chargeOut(c: Charge): v1.Charge {
  return {
    id: c.id,
    kind: c.kind,
    plan: c.plan ?? '',
    interval: c.interval ?? '',
    pack: c.pack ?? '',
    amount: moneyOut(c.amount),
    status: c.status,
    failureReason: c.failureReason ?? '',
    paymentMethod: c.paymentMethod ?? '',
    periodStart: iso(c.periodStart),
    periodEnd: iso(c.periodEnd),
    createdAt: iso(c.createdAt),
  };
}

export function decisionOut(d: RefundDecision): v1.RefundDecision {
  return {
    decision: d.decision,
    amount: moneyOut(d.amount),
    rule: d.rule,
    explanation: d.explanation,
  };
}

export function refundOut(r: Refund): v1.Refund {
  return {
    id: r.id,
    chargeId: r.chargeId,
    decision: r.decision,
    status: r.status,
    amount: moneyOut(r.amount),
    rule: r.rule,
    explanation: r.explanation,
    source: r.source,
    createdAt: iso(r.createdAt),
    settledAt: iso(r.settledAt),
  };
}

export function interval(value: string): Interval {
  if (value === '' || value === 'month') {
    return 'month';
  }
  if (value === 'year') {
    return 'year';
  }
  throw ProblemError.badRequest('interval is "month" or "year".', { field: 'interval' });
}

export function refundKind(value: string): RefundKind | undefined {
  if (value === '') {
    return undefined;
  }
  if (!(refundKinds as readonly string[]).includes(value)) {
    throw ProblemError.badRequest(`kind is one of ${refundKinds.join(', ')}.`, { field: 'kind' });
  }
  return value as RefundKind;
}

/** Every call that charges or refunds carries the caller's key, so a retry never pays twice. */
export function key(value: string): string {
  if (value.length === 0 || value.length > 255) {
    throw ProblemError.badRequest('idempotency_key is required (1 to 255 characters).', {
      field: 'idempotencyKey',
    });
  }
  return value;
}

export function currency(value: string): 'USD' | 'INR' | undefined {
  if (value === '') {
    return undefined;
  }
  if (!isCurrency(value)) {
    throw ProblemError.badRequest('currency is USD or INR.', { field: 'currency' });
  }
  return value;
}
