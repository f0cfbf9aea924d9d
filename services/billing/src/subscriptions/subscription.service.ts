import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { Clock } from '@fluxnote/clock';
import { allowanceResetV1, ProblemError } from '@fluxnote/contracts';
import { Outbox } from '@fluxnote/messaging';
import { ChargeService, type Charge } from '../charges/charge.service';
import { addMonths } from '../ledger/credit-pool';
import { LedgerService } from '../ledger/ledger.service';
import { type Currency, type Money } from '../money/money';
import { PaymentProcessor } from '../payments/payment-processor';
import {
  currencyForCountry,
  findPack,
  planPrice,
  type Interval,
  type Plan,
  type PlanId,
} from '../plans/plan-catalog';
import { RefundService } from '../refunds/refund.service';
import {
  lockAccount,
  dueAccounts,
  lockDueAccount,
  readAccount,
  saveAccount,
  type BillingAccount,
} from './billing-account.repository';
import { planOrFail, saveAndAnnounce, termEnd } from './plan-actions';
import { annualSwitchCharge, planChange, upgradeCharge } from './plan-change.rules';

export interface SubscriptionView {
  plan: PlanId;
  interval: Interval;
  currency: Currency;
  status: 'active' | 'free';
  periodStart: Date;
  periodEnd: Date;
  pendingChange: { plan: PlanId; interval: Interval; effectiveAt: Date } | null;
  paymentMethod: string | null;
}

export interface ChangeRequest {
  plan: string;
  interval: Interval;
  /** Chosen at checkout; by default the price list of the caller's country. */
  currency?: Currency;
  country?: string | null;
  paymentMethod?: string;
  idempotencyKey: string;
}

/** A retry of a request whose payment was found unfulfilled and refunded: it is not fulfilled now either. */
function unfulfilled(charge: Charge): ProblemError {
  return ProblemError.conflict(
    'The payment of this request could not be completed and was refunded in full; nothing changed. Send the purchase again as a new request.',
    { chargeId: charge.id },
  );
}

function declined(charge: Charge): ProblemError {
  const detail =
    charge.failureReason === 'payment_processing'
      ? 'The payment did not confirm at once (UPI can take a while); nothing changed. If it completes later it is refunded automatically. Try again, or pay by card.'
      : `The payment of the charge was declined (${charge.failureReason ?? 'declined'}); nothing changed. Use another payment method.`;
  return new ProblemError({
    type: 'payment-declined',
    title: 'Payment declined',
    status: 402,
    detail,
    chargeId: charge.id,
  });
}

/**
 * Subscriptions (SPEC §2): upgrades take effect at once with a prorated charge
 * and the new allowance; downgrades and cancellations wait for the end of the
 * paid term. Renewals run from the durable cycle dates in the account rows, so
 * they survive restarts and catch up after downtime.
 */
@Injectable()
export class SubscriptionService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly clock: Clock,
    private readonly ledger: LedgerService,
    private readonly charges: ChargeService,
    private readonly refunds: RefundService,
    private readonly processor: PaymentProcessor,
    private readonly outbox: Outbox,
  ) {}

  async get(userId: string): Promise<SubscriptionView> {
    return view(await readAccount(this.dataSource.manager, userId));
  }

  async change(
    userId: string,
    request: ChangeRequest,
  ): Promise<{ subscription: SubscriptionView; charge: Charge | null }> {
    const result = await this.dataSource.transaction(async (manager) => {
      const outcome = await this.decideChange(manager, await lockAccount(manager, userId), request);
      if (outcome.charge?.status === 'succeeded') {
        // A billing error in what was just charged (the USD price in India) is refunded in the same transaction.
        const refunded = await this.refunds.refundDetectedErrorsIn(
          manager,
          userId,
          outcome.charge.id,
        );
        if (refunded) {
          return { charge: outcome.charge, account: await readAccount(manager, userId) };
        }
      }
      return outcome;
    });
    if (result.charge?.status === 'failed') {
      throw declined(result.charge);
    }
    if (result.charge?.unfulfilled) {
      throw unfulfilled(result.charge);
    }
    return { subscription: view(result.account), charge: result.charge };
  }

  private async decideChange(
    manager: EntityManager,
    account: BillingAccount,
    request: ChangeRequest,
  ): Promise<{ charge: Charge | null; account: BillingAccount }> {
    const userId = account.userId;
    const earlier = await this.charges.findByKeys(manager, [
      `subscribe:${userId}:${request.idempotencyKey}`,
      `change:${userId}:${request.idempotencyKey}`,
    ]);
    if (earlier) {
      return { charge: earlier, account }; // a repeated request: the answer of the first
    }
    const target = planOrFail(account, request.plan);
    if (request.country !== undefined && request.country !== null) {
      account.country = request.country;
    }
    const current = planOrFail(account, account.plan);
    const change = planChange({
      paidTerm: account.termEnd !== null,
      current: { id: current.id, rank: current.rank, interval: account.interval },
      target,
      interval: request.interval,
      changeScheduled: account.pendingPlan !== null,
    });
    switch (change) {
      case 'cancel_at_term_end':
        return { charge: null, account: await this.scheduleCancel(manager, account) };
      case 'start_term':
        return this.startTerm(manager, account, target, request);
      case 'upgrade':
        return this.upgrade(manager, account, current, target, request);
      case 'switch_to_annual':
        return this.switchToAnnual(manager, account, current, target, request);
      case 'already_on':
        throw ProblemError.conflict(`You are already on ${target.name} (${account.interval}ly).`);
      case 'resume':
        account.pendingPlan = null;
        account.pendingInterval = null;
        await saveAndAnnounce(this.outbox, manager, account, account.plan, 'resumed');
        return { charge: null, account };
      case 'schedule_at_term_end':
        account.pendingPlan = target.id;
        account.pendingInterval = request.interval;
        await saveAndAnnounce(this.outbox, manager, account, account.plan, 'downgrade_scheduled');
        return { charge: null, account };
    }
  }

  async cancel(userId: string): Promise<SubscriptionView> {
    return this.dataSource.transaction(async (manager) =>
      view(await this.scheduleCancel(manager, await lockAccount(manager, userId))),
    );
  }

  async buyPack(
    userId: string,
    request: {
      pack: string;
      paymentMethod?: string;
      country?: string | null;
      idempotencyKey: string;
    },
  ): Promise<Charge> {
    const charge = await this.dataSource.transaction(async (manager) => {
      const account = await lockAccount(manager, userId);
      const pack = findPack(account.brand, request.pack);
      if (!pack) {
        throw ProblemError.badRequest(`There is no credit pack "${request.pack}".`, {
          field: 'pack',
        });
      }
      const currency = account.termEnd
        ? account.currency
        : currencyForCountry(request.country ?? account.country);
      const { charge: made, fresh } = await this.charges.charge(manager, {
        userId,
        brand: account.brand,
        kind: 'credit_pack',
        pack: pack.id,
        amount: { amount: pack.prices[currency], currency },
        ...this.paymentMethod(account, currency, request.paymentMethod),
        description: `${pack.name} credit pack`,
        idempotencyKey: `pack:${userId}:${request.idempotencyKey}`,
      });
      if (made.status === 'succeeded' && fresh) {
        await this.ledger.addPackCredits(
          manager,
          userId,
          { video: pack.videoCredits, image: pack.imageCredits },
          `charge:${made.id}`,
        );
      }
      return made;
    });
    if (charge.status === 'failed') {
      throw declined(charge);
    }
    if (charge.unfulfilled) {
      throw unfulfilled(charge);
    }
    return charge;
  }

  /**
   * Renews every account whose allowance cycle has ended, one cycle at a time
   * (an account behind by several cycles is caught up). Returns the cycles renewed.
   */
  async renewDue(limit = 100): Promise<number> {
    let renewed = 0;
    for (const userId of await dueAccounts(this.dataSource, this.clock.now(), limit)) {
      while (await this.renewOne(userId)) {
        renewed += 1;
      }
    }
    return renewed;
  }

  private async renewOne(userId: string): Promise<boolean> {
    return this.dataSource.transaction(async (manager) => {
      const account = await lockDueAccount(manager, userId, this.clock.now());
      if (!account) {
        return false;
      }
      const cycleStart = account.periodEnd;
      if (account.termEnd && account.termEnd.getTime() <= cycleStart.getTime()) {
        const before = account.plan;
        const outcome = await this.endTerm(manager, account, cycleStart);
        await saveAndAnnounce(this.outbox, manager, account, before, outcome);
      }
      const plan = planOrFail(account, account.plan);
      account.periodStart = cycleStart;
      account.periodEnd = addMonths(cycleStart, 1);
      await saveAccount(manager, account);
      await this.ledger.applyPlanAllowance(manager, userId, plan, 'new-cycle');
      await this.outbox.add(manager, allowanceResetV1, userId, {
        userId,
        plan: plan.id,
        periodStart: account.periodStart.toISOString(),
        periodEnd: account.periodEnd.toISOString(),
        videoCredits: plan.videoCredits,
        imageCredits: plan.imageCredits,
      });
      return true;
    });
  }

  /** The paid term is over: apply the pending change, then charge the next term or fall back to Free. */
  private async endTerm(
    manager: EntityManager,
    account: BillingAccount,
    start: Date,
  ): Promise<'renewed' | 'ended' | 'payment_failed'> {
    const next = planOrFail(account, account.pendingPlan ?? account.plan);
    const interval = account.pendingInterval ?? account.interval;
    account.pendingPlan = null;
    account.pendingInterval = null;
    if (next.id !== 'free') {
      const end = termEnd(start, interval);
      const { charge } = await this.charges.charge(manager, {
        userId: account.userId,
        brand: account.brand,
        kind: 'subscription',
        plan: next.id,
        interval,
        amount: planPrice(next, account.currency, interval),
        periodStart: start,
        periodEnd: end,
        ...this.paymentMethod(account, account.currency),
        description: `${next.name} plan, ${interval}ly renewal`,
        idempotencyKey: `renewal:${account.userId}:${start.toISOString()}`,
      });
      // An unfulfilled charge (found by reconciliation and refunded) does not pay for the term.
      if (charge.status === 'succeeded' && !charge.unfulfilled) {
        account.plan = next.id;
        account.interval = interval;
        account.termStart = start;
        account.termEnd = end;
        return 'renewed';
      }
    }
    account.plan = 'free';
    account.termStart = null;
    account.termEnd = null;
    account.endedAt = start;
    return next.id === 'free' ? 'ended' : 'payment_failed';
  }

  /** From Free: a new paid term and a fresh allowance cycle from now, at the full price. */
  private async startTerm(
    manager: EntityManager,
    account: BillingAccount,
    target: Plan,
    request: ChangeRequest,
  ): Promise<{ charge: Charge; account: BillingAccount }> {
    const now = this.clock.now();
    const currency = request.currency ?? currencyForCountry(account.country);
    return this.applyImmediateChange(manager, account, target, request, {
      kind: 'subscription',
      amount: planPrice(target, currency, request.interval),
      interval: request.interval,
      termStart: now,
      termEnd: termEnd(now, request.interval),
      description: `${target.name} plan, ${request.interval}ly`,
      newCycle: true,
    });
  }

  /** A higher tier on the same interval: the price difference for the rest of the term, the new allowance now. */
  private async upgrade(
    manager: EntityManager,
    account: BillingAccount,
    current: Plan,
    target: Plan,
    request: ChangeRequest,
  ): Promise<{ charge: Charge; account: BillingAccount }> {
    const now = this.clock.now();
    const { termStart, termEnd: end } = account as { termStart: Date; termEnd: Date };
    const amount = upgradeCharge(
      {
        current: planPrice(current, account.currency, account.interval),
        target: planPrice(target, account.currency, account.interval),
      },
      { start: termStart, end },
      now,
    );
    return this.applyImmediateChange(manager, account, target, request, {
      kind: 'upgrade',
      amount,
      interval: account.interval,
      termStart,
      termEnd: end,
      description: `Upgrade ${current.name} → ${target.name}, prorated to ${end.toISOString().slice(0, 10)}`,
    });
  }

  /** Monthly → annual: a new annual term from now, less the unused part of the current month. */
  private async switchToAnnual(
    manager: EntityManager,
    account: BillingAccount,
    current: Plan,
    target: Plan,
    request: ChangeRequest,
  ): Promise<{ charge: Charge; account: BillingAccount }> {
    const now = this.clock.now();
    const { termStart, termEnd: end } = account as { termStart: Date; termEnd: Date };
    const amount = annualSwitchCharge(
      {
        currentMonthly: planPrice(current, account.currency, 'month'),
        targetAnnual: planPrice(target, account.currency, 'year'),
      },
      { start: termStart, end },
      now,
    );
    return this.applyImmediateChange(manager, account, target, request, {
      kind: 'upgrade',
      amount,
      interval: 'year',
      termStart: now,
      termEnd: termEnd(now, 'year'),
      description: `${target.name} plan, yearly (the unused part of this month credited)`,
    });
  }

  /**
   * Charges for a change that takes effect now and, once paid, applies it: a new
   * paid term (from Free, or monthly → annual) or a higher tier within the term.
   * Declined, or a repeated request answered from the record: nothing changes.
   */
  private async applyImmediateChange(
    manager: EntityManager,
    account: BillingAccount,
    target: Plan,
    request: ChangeRequest,
    change: {
      kind: 'subscription' | 'upgrade';
      amount: Money;
      interval: Interval;
      termStart: Date;
      termEnd: Date;
      description: string;
      /** Start a fresh allowance cycle (a first paid term) instead of keeping what this cycle used. */
      newCycle?: boolean;
    },
  ): Promise<{ charge: Charge; account: BillingAccount }> {
    const now = this.clock.now();
    const currency = change.amount.currency;
    const { charge, fresh } = await this.charges.charge(manager, {
      userId: account.userId,
      brand: account.brand,
      kind: change.kind,
      plan: target.id,
      interval: change.interval,
      previousPlan: account.plan,
      previousInterval: account.interval,
      amount: change.amount,
      periodStart: now,
      periodEnd: change.termEnd,
      ...this.paymentMethod(account, currency, request.paymentMethod),
      description: change.description,
      idempotencyKey: `${change.kind === 'subscription' ? 'subscribe' : 'change'}:${account.userId}:${request.idempotencyKey}`,
    });
    if (charge.status !== 'succeeded' || !fresh) {
      return { charge, account };
    }
    const before = account.plan;
    Object.assign(account, {
      plan: target.id,
      interval: change.interval,
      currency,
      termStart: change.termStart,
      termEnd: change.termEnd,
      pendingPlan: null,
      pendingInterval: null,
      endedAt: null,
      ...(change.newCycle ? { periodStart: now, periodEnd: addMonths(now, 1) } : {}),
    } satisfies Partial<BillingAccount>);
    await saveAndAnnounce(
      this.outbox,
      manager,
      account,
      before,
      change.newCycle ? 'subscribed' : 'upgraded',
    );
    await this.ledger.applyPlanAllowance(
      manager,
      account.userId,
      target,
      change.newCycle ? 'new-cycle' : 'keep-used',
    );
    return { charge, account };
  }

  private async scheduleCancel(
    manager: EntityManager,
    account: BillingAccount,
  ): Promise<BillingAccount> {
    if (account.termEnd === null) {
      throw ProblemError.conflict('There is no paid subscription to cancel; you are on Free.');
    }
    account.pendingPlan = 'free';
    account.pendingInterval = account.interval;
    await saveAndAnnounce(this.outbox, manager, account, account.plan, 'cancel_scheduled');
    return account;
  }

  /**
   * The method to charge: the one given (which becomes the account's, without the mandate of the
   * one before), else the account's with its mandate, else the simulator's default for the currency.
   */
  private paymentMethod(
    account: BillingAccount,
    currency: Currency,
    given?: string,
  ): { paymentMethod: string; mandate?: string } {
    if (given && given !== account.paymentMethod) {
      account.paymentMethod = given;
      account.paymentMandate = null;
      return { paymentMethod: given };
    }
    const method = account.paymentMethod ?? this.processor.defaultPaymentMethod(currency);
    if (!method) {
      throw ProblemError.badRequest('A payment method is needed for this charge.', {
        field: 'paymentMethod',
      });
    }
    return {
      paymentMethod: method,
      ...(account.paymentMandate && method === account.paymentMethod
        ? { mandate: account.paymentMandate }
        : {}),
    };
  }
}

function view(a: BillingAccount): SubscriptionView {
  const paid = a.termStart !== null && a.termEnd !== null;
  return {
    plan: a.plan,
    interval: a.interval,
    currency: a.currency,
    status: paid ? 'active' : 'free',
    periodStart: paid ? a.termStart! : a.periodStart,
    periodEnd: paid ? a.termEnd! : a.periodEnd,
    pendingChange:
      a.pendingPlan && a.termEnd
        ? { plan: a.pendingPlan, interval: a.pendingInterval ?? a.interval, effectiveAt: a.termEnd }
        : null,
    paymentMethod: a.paymentMethod,
  };
}
