import { Inject, Injectable } from '@nestjs/common';
import Stripe from 'stripe';
import { DataSource, type EntityManager } from 'typeorm';
import { Clock } from '@fluxnote/clock';
import { ProblemError } from '@fluxnote/contracts';
import { ChargeService } from '../charges/charge.service';
import { BILLING_CONFIG, type BillingConfig } from '../config/billing.config';
import { DisputeService, type ProcessorDispute } from '../disputes/dispute.service';
import { money } from '../money/money';
import { RefundService } from '../refunds/refund.service';
import { refundStatusOf } from './stripe-processor';
import { processorRows } from './processor-records.repository';

export type WebhookOutcome = 'handled' | 'duplicate' | 'ignored';

/** Signatures older than this are refused (Stripe's default), so a captured request cannot be replayed later. */
const SIGNATURE_TOLERANCE_SECONDS = 300;

/**
 * A payment the platform has not recorded is left alone this long after it was
 * created: the charge that made it may still be committing. Stripe redelivers a
 * webhook answered with an error, so the reconciliation happens on a later delivery.
 */
export const RECONCILE_AFTER_SECONDS = 600;

/**
 * Stripe webhooks: the signature is checked against `STRIPE_WEBHOOK_SECRET` on the
 * exact bytes Stripe sent; each event is handled once (its id is recorded in the
 * transaction of its effects, so a redelivery or a concurrent duplicate does nothing).
 * Refund updates settle refunds; a succeeded payment the platform did not fulfil is
 * recorded and refunded in full; a dispute (chargeback) freezes the credits its charge bought
 * and tells support, and its close gives them back or keeps them.
 */
@Injectable()
export class StripeWebhooks {
  constructor(
    private readonly dataSource: DataSource,
    private readonly clock: Clock,
    private readonly charges: ChargeService,
    private readonly refunds: RefundService,
    private readonly disputes: DisputeService,
    @Inject(BILLING_CONFIG) private readonly config: BillingConfig,
  ) {}

  async handle(
    payload: Buffer,
    signature: string,
  ): Promise<{ outcome: WebhookOutcome; event: Stripe.Event }> {
    const secret = this.config.STRIPE_WEBHOOK_SECRET;
    if (!secret) {
      throw ProblemError.notFound(
        'This deployment takes no Stripe webhooks (STRIPE_WEBHOOK_SECRET is not set).',
      );
    }
    let event: Stripe.Event;
    try {
      event = Stripe.webhooks.constructEvent(
        payload,
        signature,
        secret,
        SIGNATURE_TOLERANCE_SECONDS,
        undefined,
        this.clock.now().getTime(), // milliseconds
      );
    } catch (error) {
      throw ProblemError.badRequest(
        `The Stripe signature does not match this payload: ${(error as Error).message}`,
        { field: 'Stripe-Signature' },
      );
    }
    const outcome = await this.dataSource.transaction(async (manager) => {
      // A concurrent delivery of the same event waits here on the key until this one commits.
      if (!(await processorRows.startEvent(manager, event.id, event.type, this.clock.now()))) {
        return 'duplicate' as const;
      }
      const result = await this.dispatch(manager, event);
      await processorRows.finishEvent(manager, event.id, result);
      return result;
    });
    return { outcome, event };
  }

  private async dispatch(manager: EntityManager, event: Stripe.Event): Promise<WebhookOutcome> {
    switch (event.type) {
      case 'refund.updated':
      case 'refund.failed':
      case 'charge.refund.updated': {
        const status = refundStatusOf(event.data.object.status);
        if (status === 'pending') {
          return 'ignored';
        }
        const settled = await this.refunds.settleIn(manager, event.data.object.id, status);
        return settled ? 'handled' : 'ignored';
      }
      case 'payment_intent.succeeded':
        return this.reconcile(manager, event.data.object);
      case 'charge.dispute.created': {
        const dispute = disputeOf(event.data.object);
        return dispute && (await this.disputes.opened(manager, dispute)) ? 'handled' : 'ignored';
      }
      case 'charge.dispute.closed': {
        const dispute = disputeOf(event.data.object);
        return dispute && (await this.disputes.closed(manager, dispute)) ? 'handled' : 'ignored';
      }
      default:
        return 'ignored';
    }
  }

  private async reconcile(
    manager: EntityManager,
    intent: Stripe.PaymentIntent,
  ): Promise<WebhookOutcome> {
    const currency = intent.currency.toUpperCase();
    if (currency !== 'USD' && currency !== 'INR') {
      return 'ignored';
    }
    const charge = await this.charges.recordUnfulfilled(manager, {
      reference: intent.id,
      amount: money(intent.amount_received || intent.amount, currency),
      labels: intent.metadata,
    });
    if (!charge) {
      return 'ignored';
    }
    const age = this.clock.now().getTime() / 1000 - intent.created;
    if (age < RECONCILE_AFTER_SECONDS) {
      // Rolls back: the charge that made this payment may still be committing; Stripe delivers again.
      throw ProblemError.unavailable(
        'This payment is not recorded yet; it is reconciled on a later delivery.',
      );
    }
    await this.refunds.refundDetectedErrorsIn(manager, charge.userId, charge.id);
    return 'handled';
  }
}

/** A Stripe dispute in billing's words; null for one of a payment in a currency billing never charges. */
function disputeOf(dispute: Stripe.Dispute): ProcessorDispute | null {
  const currency = dispute.currency.toUpperCase();
  const intent =
    typeof dispute.payment_intent === 'string'
      ? dispute.payment_intent
      : dispute.payment_intent?.id;
  if (!intent || (currency !== 'USD' && currency !== 'INR')) {
    return null;
  }
  const due = dispute.evidence_details?.due_by;
  return {
    id: dispute.id,
    paymentReference: intent,
    amount: money(dispute.amount, currency),
    reason: dispute.reason,
    status: dispute.status,
    evidenceDueBy: due ? new Date(due * 1000) : null,
  };
}
