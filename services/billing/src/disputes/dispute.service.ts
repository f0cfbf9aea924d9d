import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { Clock } from '@fluxnote/clock';
import { disputeClosedV1, disputeOpenedV1 } from '@fluxnote/contracts';
import { Outbox } from '@fluxnote/messaging';
import { ChargeService } from '../charges/charge.service';
import { LedgerService } from '../ledger/ledger.service';
import type { Money } from '../money/money';
import { isBrand } from '../plans/plan-catalog';
import { creditsBoughtBy, creditsToFreeze, disputeOutcome } from './dispute-credits';
import { disputeRows } from './disputes.repository';

/** A bank dispute (chargeback) of a payment, as the processor reports it. */
export interface ProcessorDispute {
  id: string;
  /** The processor's reference of the disputed payment (billing's `processor_ref`). */
  paymentReference: string;
  amount: Money;
  reason: string;
  /** The processor's state (`needs_response`, …, `won`, `lost`). */
  status: string;
  /** When the evidence must reach the processor, if it says. */
  evidenceDueBy: Date | null;
}

/** The hold that freezes a dispute's credits: released if it is won, spent if it is lost. */
const freezeKey = (disputeId: string): string => `dispute:${disputeId}`;

/** Disputes close within the card networks' windows (about 75 days); the hold outlives that. */
const FREEZE_SECONDS = 180 * 86_400;

/**
 * Bank disputes of billing's charges: when one opens, what is left of the credits the charge bought
 * is frozen (held like a job's reservation) and support is told (`billing.dispute.opened.v1`
 * opens a ticket there); when it closes, a win gives the credits back and a loss keeps them. Each
 * dispute is recorded once (`billing.disputes`), whatever order or how often the processor reports.
 */
@Injectable()
export class DisputeService {
  constructor(
    private readonly clock: Clock,
    private readonly charges: ChargeService,
    private readonly ledger: LedgerService,
    private readonly outbox: Outbox,
  ) {}

  /** Records an opened dispute; false when the payment is none of billing's charges. */
  async opened(manager: EntityManager, dispute: ProcessorDispute): Promise<boolean> {
    const charge = await this.charges.findByReference(manager, dispute.paymentReference);
    if (!charge || !isBrand(charge.brand)) {
      return false;
    }
    if (await disputeRows.find(manager, dispute.id)) {
      return true;
    }
    const usage = await this.ledger.usage(charge.userId);
    const frozen = creditsToFreeze(creditsBoughtBy({ ...charge, brand: charge.brand }), {
      video: usage.pools.video.remaining,
      image: usage.pools.image.remaining,
    });
    if (frozen.video + frozen.image > 0) {
      // Its own transaction, keyed by the dispute: a redelivery after a rollback finds the same hold.
      await this.ledger.reserve(freezeKey(dispute.id), charge.userId, frozen, FREEZE_SECONDS);
    }
    const now = this.clock.now();
    await disputeRows.open(manager, {
      id: dispute.id,
      processor: charge.processor,
      chargeId: charge.id,
      userId: charge.userId,
      amount: dispute.amount,
      reason: dispute.reason,
      frozen,
      evidenceDueBy: dispute.evidenceDueBy,
      openedAt: now,
    });
    await this.outbox.add(manager, disputeOpenedV1, charge.userId, {
      disputeId: dispute.id,
      userId: charge.userId,
      chargeId: charge.id,
      chargeKind: charge.kind,
      amount: dispute.amount,
      reason: dispute.reason,
      evidenceDueBy: dispute.evidenceDueBy?.toISOString() ?? null,
      frozenCredits: frozen,
    });
    return true;
  }

  /** Settles a closed dispute's frozen credits; false when it is none of billing's charges. */
  async closed(manager: EntityManager, dispute: ProcessorDispute): Promise<boolean> {
    const outcome = disputeOutcome(dispute.status);
    if (outcome === 'open') {
      return false;
    }
    // Closed before its opening reached billing (or that was never sent): open it first.
    if (!(await disputeRows.find(manager, dispute.id)) && !(await this.opened(manager, dispute))) {
      return false;
    }
    const row = (await disputeRows.find(manager, dispute.id, true))!;
    if (row.status !== 'open') {
      return true;
    }
    if (row.frozen_video + row.frozen_image > 0) {
      const key = freezeKey(dispute.id);
      await (outcome === 'won'
        ? this.ledger.release(key, 'dispute won: credits unfrozen')
        : this.ledger.commit(key, 'dispute lost: the payment went back to the cardholder'));
    }
    await disputeRows.close(manager, dispute.id, outcome, this.clock.now());
    await this.outbox.add(manager, disputeClosedV1, row.user_id, {
      disputeId: dispute.id,
      userId: row.user_id,
      outcome,
      frozenCredits: { video: row.frozen_video, image: row.frozen_image },
    });
    return true;
  }
}
