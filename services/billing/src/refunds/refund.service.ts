import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { Clock } from '@fluxnote/clock';
import { isUuid, ProblemError, refundDecidedV1, refundProcessedV1 } from '@fluxnote/contracts';
import { isUniqueViolation } from '@fluxnote/persistence';
import { Outbox } from '@fluxnote/messaging';
import { ChargeService, type Charge } from '../charges/charge.service';
import { BILLING_CONFIG, type BillingConfig } from '../config/billing.config';
import { LedgerService } from '../ledger/ledger.service';
import { formatMoney, minMoney, money, nonNegative, subtract, type Money } from '../money/money';
import { PaymentProcessor, type RefundStatus } from '../payments/payment-processor';
import { findPlan } from '../plans/plan-catalog';
import { readAccount } from '../subscriptions/billing-account.repository';
import { PlanActions } from '../subscriptions/plan-actions';
import { detectBillingError } from './billing-errors.rules';
import { refundRows, type Refund, type RefundSource } from './refunds.repository';
import {
  decideRefund,
  type DetectedBillingError,
  type RefundCase,
  type RefundDecision,
  type RefundKind,
} from './refund-policy';

interface DecideOptions {
  source: RefundSource;
  /** Decides instead of the policy (an agent's goodwill), given what is left of the charge. */
  decide?: (left: Money) => RefundDecision;
  agentId?: string;
  /** Record nothing unless the records show a billing error (automatic detection). */
  onlyBillingErrors?: boolean;
}

export type { Refund, RefundSource } from './refunds.repository';

export interface RefundRequest {
  chargeId: string;
  reason: string;
  kind?: RefundKind;
}

/**
 * Refunds: the policy decides (refund-policy.ts), this service gathers the facts
 * and acts. Decisions on one charge run one at a time under the charge's row
 * lock, and each counts what earlier refunds already paid, so two requests —
 * concurrent or not — never pay twice.
 */
/** What a refund's notice may name: a card or a UPI ID; any other kind, or none, is not named. */
function refundMethodOf(kind: string | null): 'card' | 'upi' | null {
  return kind === 'card' || kind === 'upi' ? kind : null;
}

@Injectable()
export class RefundService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly clock: Clock,
    private readonly charges: ChargeService,
    private readonly ledger: LedgerService,
    private readonly processor: PaymentProcessor,
    private readonly planActions: PlanActions,
    private readonly outbox: Outbox,
    @Inject(BILLING_CONFIG) private readonly config: BillingConfig,
  ) {}

  /** What the policy would decide now; nothing changes. */
  async quote(userId: string, request: RefundRequest): Promise<RefundDecision> {
    return this.dataSource.transaction('REPEATABLE READ', async (manager) => {
      const charge = await this.chargeOf(manager, userId, request.chargeId, false);
      return decideRefund(await this.facts(manager, charge, request));
    });
  }

  /** Decides by the policy and acts on the decision: an approved refund is sent to the processor. */
  async request(userId: string, request: RefundRequest, idempotencyKey: string): Promise<Refund> {
    const refund = await this.decideAndAct(userId, request, `request:${userId}:${idempotencyKey}`, {
      source: 'policy',
    });
    return refund!;
  }

  /** An agent's goodwill refund of what is left of a charge (or less): a recorded decision. */
  async goodwill(
    agentId: string,
    userId: string,
    request: RefundRequest & { amount?: number },
    idempotencyKey: string,
  ): Promise<Refund> {
    const refund = await this.decideAndAct(
      userId,
      request,
      `goodwill:${agentId}:${idempotencyKey}`,
      {
        source: 'goodwill',
        agentId,
        decide: (left) => {
          const amount =
            request.amount === undefined
              ? left
              : minMoney(money(request.amount, left.currency), left);
          if (amount.amount <= 0) {
            return {
              decision: 'rejected',
              amount: money(0, left.currency),
              rule: 'goodwill.nothing-left',
              explanation: 'Nothing is left of this charge to refund.',
              action: 'none',
            };
          }
          return {
            decision: 'approved',
            amount,
            rule: 'goodwill',
            explanation: `A support agent granted a goodwill refund of ${formatMoney(amount)} to your original payment method.`,
            action: 'none',
          };
        },
      },
    );
    return refund!;
  }

  /** Refunds at once a billing error the platform finds on a charge it just recorded (no request needed). */
  async refundDetectedErrors(userId: string, chargeId: string): Promise<Refund | null> {
    return this.dataSource.transaction((manager) =>
      this.refundDetectedErrorsIn(manager, userId, chargeId),
    );
  }

  /** The same, inside the transaction that recorded the charge: the charge and its refund commit together. */
  async refundDetectedErrorsIn(
    manager: EntityManager,
    userId: string,
    chargeId: string,
  ): Promise<Refund | null> {
    return this.decideAndActIn(
      manager,
      userId,
      { chargeId, reason: 'billing error found by the platform', kind: 'billing_error' },
      `automatic:${chargeId}`,
      { source: 'automatic', onlyBillingErrors: true },
    );
  }

  async list(userId: string): Promise<Refund[]> {
    return refundRows.ofUser(this.dataSource, userId);
  }

  /** Asks the processor about pending refunds; returns how many were settled. */
  async settlePending(limit = 100): Promise<number> {
    let settled = 0;
    for (const { processorRef } of await refundRows.pending(this.dataSource, limit)) {
      if (!processorRef) {
        continue;
      }
      const status = await this.processor.refundStatus(processorRef);
      if (status !== 'pending' && (await this.settle(processorRef, status))) {
        settled += 1;
      }
    }
    return settled;
  }

  /** Records the processor's final word on a refund, once (also called from processor webhooks). */
  async settle(processorRef: string, status: Exclude<RefundStatus, 'pending'>): Promise<boolean> {
    return this.dataSource.transaction((manager) => this.settleIn(manager, processorRef, status));
  }

  /** The same, inside the caller's transaction (a webhook records its event id with the effect). */
  async settleIn(
    manager: EntityManager,
    processorRef: string,
    status: Exclude<RefundStatus, 'pending'>,
  ): Promise<boolean> {
    const refund = await refundRows.settle(manager, processorRef, status, this.clock.now());
    if (!refund) {
      return false;
    }
    const paid = await this.charges.findForUser(manager, refund.userId, refund.chargeId, false);
    await this.outbox.add(manager, refundProcessedV1, refund.userId, {
      refundId: refund.id,
      chargeId: refund.chargeId,
      userId: refund.userId,
      status,
      amount: refund.amount,
      method: refundMethodOf(paid?.paymentMethodKind ?? null),
    });
    return true;
  }

  private async decideAndAct(
    userId: string,
    request: RefundRequest,
    key: string,
    options: DecideOptions,
  ): Promise<Refund | null> {
    try {
      return await this.dataSource.transaction((manager) =>
        this.decideAndActIn(manager, userId, request, key, options),
      );
    } catch (error) {
      if (isUniqueViolation(error)) {
        // The same key on another charge (a same-charge retry is answered under the charge's lock).
        throw ProblemError.conflict('This idempotency key was used for another refund request.');
      }
      throw error;
    }
  }

  /**
   * Decides and acts inside the caller's transaction, under the charge's row lock:
   * a repeated key answers the first decision, and the processor gets the same key,
   * so neither a retry nor a crash between the processor's answer and the commit pays twice.
   */
  private async decideAndActIn(
    manager: EntityManager,
    userId: string,
    request: RefundRequest,
    key: string,
    options: DecideOptions,
  ): Promise<Refund | null> {
    const { source, decide, agentId = null, onlyBillingErrors = false } = options;
    const charge = await this.chargeOf(manager, userId, request.chargeId, true);
    const existing = await refundRows.byKey(manager, key);
    if (existing) {
      return existing;
    }
    if (
      onlyBillingErrors &&
      !(await this.detectBillingError(manager, charge, await readAccount(manager, userId)))
    ) {
      return null; // the common case after a charge: nothing more to read
    }
    const facts = await this.facts(manager, charge, request);
    const decision = decide
      ? decide(nonNegative(subtract(charge.amount, facts.alreadyRefunded)))
      : decideRefund(facts);
    let status: Refund['status'] = 'none';
    let processorRef: string | null = null;
    if (decision.decision === 'approved') {
      if (!charge.processorRef) {
        throw ProblemError.conflict('This charge has no payment to refund.');
      }
      const outcome = await this.processor.refund({
        idempotencyKey: key,
        chargeReference: charge.processorRef,
        amount: decision.amount,
      });
      status = outcome.status;
      processorRef = outcome.reference;
    }
    const refund = await refundRows.insert(manager, {
      id: randomUUID(),
      chargeId: charge.id,
      userId,
      source,
      kind: request.kind ?? null,
      reason: request.reason,
      decision: decision.decision,
      status,
      amount: decision.amount,
      rule: decision.rule,
      explanation: decision.explanation,
      action: decision.action,
      agentId,
      processorRef,
      idempotencyKey: key,
      createdAt: this.clock.now(),
    });
    if (decision.decision === 'approved') {
      await this.planActions.apply(manager, charge, decision.action);
    }
    await this.outbox.add(manager, refundDecidedV1, userId, {
      refundId: refund.id,
      chargeId: charge.id,
      userId,
      decision: refund.decision,
      amount: refund.amount,
      rule: refund.rule,
      explanation: refund.explanation,
      source,
      method: refundMethodOf(charge.paymentMethodKind),
    });
    return refund;
  }

  private async chargeOf(
    manager: EntityManager,
    userId: string,
    chargeId: string,
    lock: boolean,
  ): Promise<Charge> {
    const charge = isUuid(chargeId)
      ? await this.charges.findForUser(manager, userId, chargeId, lock)
      : null;
    if (!charge || charge.status !== 'succeeded') {
      // Another user's charge answers exactly like a missing one.
      throw ProblemError.notFound(`No charge ${chargeId}.`);
    }
    return charge;
  }

  /** Everything the policy needs to know about one charge, read from billing's own records. */
  private async facts(
    manager: EntityManager,
    charge: Charge,
    request: RefundRequest,
  ): Promise<RefundCase> {
    const account = await readAccount(manager, charge.userId);
    const refunded = await refundRows.refundedOf(manager, charge.id);
    const used = await this.ledger.usedSince(manager, charge.userId, charge.createdAt);
    const plan = charge.plan ? findPlan(account.brand, charge.plan) : undefined;
    return {
      brand: account.brand,
      now: this.clock.now(),
      request: { reason: request.reason, kind: request.kind },
      charge: {
        kind: charge.kind,
        plan: charge.plan,
        interval: charge.interval,
        amount: charge.amount,
        createdAt: charge.createdAt,
      },
      alreadyRefunded: money(refunded, charge.amount.currency),
      usage: {
        videoUsed: used.video,
        imageUsed: used.image,
        videoAllowance: plan?.videoCredits ?? 0,
        imageAllowance: plan?.imageCredits ?? 0,
        imageGenerations: used.imageJobs,
      },
      billingError: await this.detectBillingError(manager, charge, account),
      // Support does not report technical issues to billing yet: the policy sends such requests to an agent.
      technicalIssue: null,
    };
  }

  /** The facts `detectBillingError` of `billing-errors.rules.ts` judges, read from the records. */
  private async detectBillingError(
    manager: EntityManager,
    charge: Charge,
    account: Awaited<ReturnType<typeof readAccount>>,
  ): Promise<DetectedBillingError | null> {
    const earlier = charge.unfulfilled
      ? null
      : await this.charges.earlierChargeForSamePeriod(manager, charge);
    return detectBillingError({
      charge,
      account,
      earlierChargeForSamePeriod: earlier?.id ?? null,
      inrPerUsd: this.config.INR_PER_USD,
    });
  }
}
