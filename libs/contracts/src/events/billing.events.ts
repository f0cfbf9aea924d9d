import { z } from 'zod';
import { defineEvent, topics } from './event-definition';

/** Money as it travels: integer minor units and an ISO currency. */
const money = z.object({ amount: z.number().int(), currency: z.enum(['USD', 'INR']) });

export const chargeSucceededV1 = defineEvent(
  'billing.charge.succeeded.v1',
  topics.billing,
  z.object({
    chargeId: z.string().uuid(),
    userId: z.string().uuid(),
    kind: z.enum(['subscription', 'upgrade', 'credit_pack']),
    plan: z.string().nullable(),
    pack: z.string().nullable(),
    amount: money,
  }),
);

export const chargeFailedV1 = defineEvent(
  'billing.charge.failed.v1',
  topics.billing,
  z.object({
    userId: z.string().uuid(),
    kind: z.enum(['subscription', 'upgrade', 'credit_pack']),
    amount: money,
    reason: z.string(),
  }),
);

/** `card` or `upi`; null when billing does not know (events from before it recorded it omit it). */
const refundMethod = z.enum(['card', 'upi']).nullable().optional();

export const refundDecidedV1 = defineEvent(
  'billing.refund.decided.v1',
  topics.billing,
  z.object({
    refundId: z.string().uuid(),
    chargeId: z.string().uuid(),
    userId: z.string().uuid(),
    decision: z.enum(['approved', 'rejected', 'review']),
    amount: money,
    rule: z.string(),
    explanation: z.string(),
    /** policy (the user asked), automatic (a billing error the platform found), goodwill (an agent). */
    source: z.enum(['policy', 'automatic', 'goodwill']),
    /** How the charge was paid, so the notice says where the money goes back to; null if unknown. */
    method: refundMethod,
  }),
);

export const refundProcessedV1 = defineEvent(
  'billing.refund.processed.v1',
  topics.billing,
  z.object({
    refundId: z.string().uuid(),
    chargeId: z.string().uuid(),
    userId: z.string().uuid(),
    status: z.enum(['succeeded', 'failed']),
    amount: money,
    method: refundMethod,
  }),
);

export const subscriptionChangedV1 = defineEvent(
  'billing.subscription.changed.v1',
  topics.billing,
  z.object({
    userId: z.string().uuid(),
    plan: z.string(),
    interval: z.enum(['month', 'year']),
    previousPlan: z.string(),
    /** upgrade, downgrade_scheduled, cancel_scheduled, resumed, renewed, ended, payment_failed, refund, … */
    reason: z.string(),
    pendingPlan: z.string().nullable(),
  }),
);

export const allowanceResetV1 = defineEvent(
  'billing.allowance.reset.v1',
  topics.billing,
  z.object({
    userId: z.string().uuid(),
    plan: z.string(),
    periodStart: z.string(),
    periodEnd: z.string(),
    videoCredits: z.number().int(),
    imageCredits: z.number().int(),
  }),
);

export const creditsGrantedV1 = defineEvent(
  'billing.credits.granted.v1',
  topics.billing,
  z.object({
    userId: z.string().uuid(),
    videoCredits: z.number().int().min(0),
    imageCredits: z.number().int().min(0),
    reason: z.string(),
  }),
);

const credits = z.object({ video: z.number().int().min(0), image: z.number().int().min(0) });

/** A cardholder disputed one of billing's charges with their bank (a chargeback): support answers it. */
export const disputeOpenedV1 = defineEvent(
  'billing.dispute.opened.v1',
  topics.billing,
  z.object({
    disputeId: z.string(),
    userId: z.string().uuid(),
    chargeId: z.string().uuid(),
    chargeKind: z.enum(['subscription', 'upgrade', 'credit_pack']),
    amount: money,
    /** The bank's reason (`fraudulent`, `product_not_received`, …). */
    reason: z.string(),
    /** When the evidence must reach the processor; null when it did not say. */
    evidenceDueBy: z.string().datetime().nullable(),
    /** What was left of the credits the charge bought, frozen until the dispute closes. */
    frozenCredits: credits,
  }),
);

export const disputeClosedV1 = defineEvent(
  'billing.dispute.closed.v1',
  topics.billing,
  z.object({
    disputeId: z.string(),
    userId: z.string().uuid(),
    /** won: the frozen credits are back; lost: they are gone with the money. */
    outcome: z.enum(['won', 'lost']),
    frozenCredits: credits,
  }),
);
