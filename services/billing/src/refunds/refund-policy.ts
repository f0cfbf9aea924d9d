import {
  formatMoney,
  minMoney,
  money,
  multiplyRatio,
  nonNegative,
  percentage,
  subtract,
  zero,
  type Currency,
  type Money,
} from '../money/money';
import { findPlan, planPrice, type Brand, type Interval, type PlanId } from '../plans/plan-catalog';

/**
 * The refund policy engine (SPEC §4): pure and data-driven. Given the facts of a
 * charge and a request, it decides `approved` (with an amount), `rejected` (with
 * the rule that says no) or `review` (a person decides), and always explains why
 * in words a user understands. It changes nothing; the refund service acts on it.
 */

export const refundKinds = [
  'billing_error',
  'mistaken_upgrade',
  'mistaken_annual',
  'technical_error',
  'other',
] as const;
export type RefundKind = (typeof refundKinds)[number];
export const chargeKinds = ['subscription', 'upgrade', 'credit_pack'] as const;
export type ChargeKind = (typeof chargeKinds)[number];
export type Decision = 'approved' | 'rejected' | 'review';

/** What the refund service does besides paying money back. */
export type RefundAction =
  | 'none'
  /** Back to the plan before the upgrade. */
  | 'revert_upgrade'
  /** The paid plan ends now; the user continues on Free. */
  | 'end_subscription'
  /** The annual plan becomes the monthly plan of the same tier. */
  | 'convert_to_monthly'
  /** Future charges in INR (a user in India charged the USD price). */
  | 'switch_to_inr';

/** A billing error the platform found in its own records (not only what the user says). */
export type DetectedBillingError =
  | { type: 'duplicate'; ofChargeId: string }
  | { type: 'after_cancellation' }
  | { type: 'regional_price'; overage: Money }
  /** The processor took the payment but the platform never completed what it paid for. */
  | { type: 'unfulfilled' };

export interface RefundCase {
  brand: Brand;
  now: Date;
  request: { reason: string; kind?: RefundKind };
  charge: {
    kind: ChargeKind;
    plan: PlanId | null;
    interval: Interval | null;
    amount: Money;
    createdAt: Date;
  };
  /** Money already paid back or on its way for this charge (pending or succeeded refunds). */
  alreadyRefunded: Money;
  /** Credits used since the charge, and the plan's allowance per cycle. */
  usage: {
    videoUsed: number;
    imageUsed: number;
    videoAllowance: number;
    imageAllowance: number;
    /** Image generation jobs since the charge. */
    imageGenerations: number;
  };
  billingError: DetectedBillingError | null;
  /** A technical problem reported to support, if support knows of one. */
  technicalIssue: { reportedAt: Date; resolvedAt: Date | null } | null;
}

export interface RefundDecision {
  decision: Decision;
  amount: Money;
  rule: string;
  explanation: string;
  action: RefundAction;
}

/** Card processing fee kept on flux-kontext refunds: 2.9 % + 0.30 USD (SPEC §4 default). */
export const processingFee: { basisPoints: number; fixed: Record<Currency, number> } = {
  basisPoints: 290,
  fixed: { USD: 30, INR: 2500 },
};

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

function feeOn(amount: Money): Money {
  return money(
    percentage(amount, processingFee.basisPoints).amount + processingFee.fixed[amount.currency],
    amount.currency,
  );
}

function dateOf(d: Date): string {
  return d.toISOString().slice(0, 10);
}

function reject(rule: string, explanation: string, currency: Currency): RefundDecision {
  return { decision: 'rejected', amount: zero(currency), rule, explanation, action: 'none' };
}

function review(rule: string, explanation: string, currency: Currency): RefundDecision {
  return { decision: 'review', amount: zero(currency), rule, explanation, action: 'none' };
}

/**
 * Approves `amount`, clamped to what is left of the charge; a result of nothing
 * becomes a rejection under the same rule, so an approval always pays something.
 */
function approve(
  c: RefundCase,
  rule: string,
  amount: Money,
  explanation: (paid: Money) => string,
  action: RefundAction = 'none',
): RefundDecision {
  const paid = minMoney(nonNegative(amount), left(c));
  if (paid.amount === 0) {
    return reject(
      rule,
      `Under this rule nothing is left to refund on this charge. ${explanation(paid)}`,
      paid.currency,
    );
  }
  return { decision: 'approved', amount: paid, rule, explanation: explanation(paid), action };
}

function left(c: RefundCase): Money {
  return nonNegative(subtract(c.charge.amount, c.alreadyRefunded));
}

function billingErrorDecision(c: RefundCase, error: DetectedBillingError): RefundDecision {
  switch (error.type) {
    case 'duplicate':
      return approve(
        c,
        'billing-error.duplicate-charge',
        left(c),
        (paid) =>
          `You were charged twice for the same plan period. The second charge is refunded in full (${formatMoney(paid)}) to your original payment method.`,
      );
    case 'after_cancellation':
      return approve(
        c,
        'billing-error.charge-after-cancellation',
        left(c),
        (paid) =>
          `This charge was made after your subscription was cancelled. It is refunded in full (${formatMoney(paid)}) to your original payment method.`,
      );
    case 'regional_price':
      return approve(
        c,
        'billing-error.regional-price',
        error.overage,
        (paid) =>
          `You are in India but were charged the USD price. The difference (${formatMoney(paid)}) is refunded to your original payment method and your next charges use INR pricing.`,
        'switch_to_inr',
      );
    case 'unfulfilled':
      return approve(
        c,
        'billing-error.unfulfilled-payment',
        left(c),
        (paid) =>
          `Your payment went through but we could not complete what it was for, so nothing was added to your account. It is refunded in full (${formatMoney(paid)}) to your original payment method.`,
      );
  }
}

/** The share of the charge left after the used credits, the larger usage share of the two pools deciding. */
function unusedShare(c: RefundCase, twelfths: boolean): Money {
  const { usage } = c;
  const charge = c.charge.amount;
  let refundable = charge;
  const pools: [number, number][] = [
    [usage.videoUsed, usage.videoAllowance],
    [usage.imageUsed, usage.imageAllowance],
  ];
  for (const [used, allowance] of pools) {
    if (allowance <= 0) {
      continue;
    }
    // Monthly: charge × (1 − used/allowance). Annual: charge − used × charge / (12 × allowance).
    const total = twelfths ? 12 * allowance : allowance;
    const usedValue = multiplyRatio(charge, Math.min(used, total), total, 'up');
    refundable = minMoney(refundable, nonNegative(subtract(charge, usedValue)));
  }
  return refundable;
}

function fluxnote(c: RefundCase): RefundDecision {
  const { charge, request, now } = c;
  const currency = charge.amount.currency;
  const age = now.getTime() - charge.createdAt.getTime();
  const appeal =
    'If you think this is wrong, reply through support: an agent can review it and may grant a goodwill refund.';

  if (request.kind === 'billing_error') {
    return review(
      'fluxnote.billing-error-review',
      'We could not find a billing error on this charge in our records, so a support agent will check it and answer you. Billing errors are refunded in full whenever they are found.',
      currency,
    );
  }
  if (request.kind === 'mistaken_upgrade' && charge.kind === 'upgrade' && age <= 24 * HOUR) {
    return approve(
      c,
      'fluxnote.mistaken-upgrade',
      left(c),
      (paid) =>
        `You reported the upgrade as a mistake within 24 hours. Your previous plan is back and the upgrade charge (${formatMoney(paid)}) is refunded to your original payment method.`,
      'revert_upgrade',
    );
  }
  if (charge.kind === 'credit_pack') {
    return reject(
      'fluxnote.credit-packs',
      `Credit packs do not expire and are not refundable once bought. ${appeal}`,
      currency,
    );
  }
  if (charge.interval === 'month' && age <= 14 * DAY) {
    const nothingUsed = c.usage.videoUsed === 0 && c.usage.imageUsed === 0;
    return approve(
      c,
      'fluxnote.monthly-within-14-days',
      unusedShare(c, false),
      (paid) =>
        nothingUsed
          ? `You asked within 14 days of the charge and used none of the plan's credits: the full ${formatMoney(paid)} is refunded, no questions asked. Your plan ends now.`
          : `You asked within 14 days of the charge. You used ${c.usage.videoUsed} of ${c.usage.videoAllowance} video credits and ${c.usage.imageUsed} of ${c.usage.imageAllowance} image credits, so the unused share of the ${formatMoney(charge.amount)} charge, ${formatMoney(paid)}, is refunded to your original payment method. Your plan ends now.`,
      'end_subscription',
    );
  }
  if (charge.interval === 'year' && age <= 30 * DAY) {
    return approve(
      c,
      'fluxnote.annual-within-30-days',
      unusedShare(c, true),
      (paid) =>
        `You asked within 30 days of your annual charge. The value of the credits you used (${c.usage.videoUsed} video, ${c.usage.imageUsed} image; one credit is worth the annual price divided by twelve monthly allowances) is kept and ${formatMoney(paid)} is refunded to your original payment method. Your plan ends now.`,
      'end_subscription',
    );
  }
  const window = charge.interval === 'year' ? 30 : 14;
  return reject(
    'fluxnote.outside-refund-window',
    `Refunds are given within ${window} days of a ${charge.interval === 'year' ? 'annual' : 'monthly'} charge; this charge was made on ${dateOf(charge.createdAt)}. ${appeal}`,
    currency,
  );
}

function fluxKontext(c: RefundCase): RefundDecision {
  const { charge, request, now, usage } = c;
  const currency = charge.amount.currency;
  const age = now.getTime() - charge.createdAt.getTime();
  if (request.reason.trim().length === 0) {
    return reject(
      'flux-kontext.no-reason',
      'A refund request needs a reason. Tell us what went wrong and ask again.',
      currency,
    );
  }
  if (charge.kind === 'credit_pack') {
    return reject(
      'flux-kontext.credit-purchases',
      'Credit purchases are not refundable, whatever their use.',
      currency,
    );
  }
  if (request.kind === 'technical_error') {
    const issue = c.technicalIssue;
    if (issue && issue.resolvedAt) {
      return reject(
        'flux-kontext.technical-error-resolved',
        `The technical problem you reported on ${dateOf(issue.reportedAt)} was resolved on ${dateOf(issue.resolvedAt)}.`,
        currency,
      );
    }
    if (issue && now.getTime() - issue.reportedAt.getTime() < 14 * DAY) {
      const due = new Date(issue.reportedAt.getTime() + 14 * DAY);
      return reject(
        'flux-kontext.technical-error-pending',
        `We are still working on the problem you reported on ${dateOf(issue.reportedAt)}. If it is not resolved by ${dateOf(due)}, you qualify for a partial refund decided by an agent.`,
        currency,
      );
    }
    return review(
      'flux-kontext.technical-error',
      'Technical errors reported to support and not resolved within 14 days are refunded in part; an agent reviews your case and decides the amount.',
      currency,
    );
  }
  if (age > 7 * DAY) {
    return reject(
      'flux-kontext.after-7-days',
      `Subscriptions are refundable within 7 days of purchase; this one was bought on ${dateOf(charge.createdAt)}.`,
      currency,
    );
  }
  if (usage.imageGenerations > 50) {
    return reject(
      'flux-kontext.over-50-generations',
      `Subscriptions with more than 50 image generations are not refundable; ${usage.imageGenerations} were made since the purchase.`,
      currency,
    );
  }
  const fee = feeOn(charge.amount);
  if (request.kind === 'mistaken_annual' && charge.interval === 'year' && charge.plan) {
    const plan = findPlan(c.brand, charge.plan);
    const monthly = plan ? planPrice(plan, currency, 'month') : zero(currency);
    return approve(
      c,
      'flux-kontext.mistaken-annual',
      subtract(subtract(charge.amount, monthly), fee),
      (paid) =>
        `Your annual plan becomes a monthly plan. One monthly fee (${formatMoney(monthly)}) and the processing fee (${formatMoney(fee)}) are kept; ${formatMoney(paid)} is refunded to your original payment method.`,
      'convert_to_monthly',
    );
  }
  return approve(
    c,
    'flux-kontext.within-7-days',
    subtract(charge.amount, fee),
    (paid) =>
      `You asked within 7 days of purchase with ${usage.imageGenerations} image generations made (50 at most). The charge minus the processing fee (${formatMoney(fee)}), ${formatMoney(paid)}, is refunded to your original payment method. Your plan ends now.`,
    'end_subscription',
  );
}

/** Decides a refund request for one charge by the rules of the user's brand. */
export function decideRefund(c: RefundCase): RefundDecision {
  const currency = c.charge.amount.currency;
  if (c.charge.amount.amount <= 0) {
    return reject('nothing-charged', 'Nothing was charged, so nothing can be refunded.', currency);
  }
  if (left(c).amount === 0) {
    return reject('already-refunded', 'This charge has already been refunded in full.', currency);
  }
  if (c.billingError) {
    return billingErrorDecision(c, c.billingError);
  }
  if (c.alreadyRefunded.amount > 0) {
    return reject(
      'already-refunded',
      `A refund of ${formatMoney(c.alreadyRefunded)} has already been made on this charge; the policy refunds a charge once.`,
      currency,
    );
  }
  return c.brand === 'fluxnote' ? fluxnote(c) : fluxKontext(c);
}
