import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { Clock } from '@fluxnote/clock';
import { ProblemError, subscriptionChangedV1 } from '@fluxnote/contracts';
import { Outbox } from '@fluxnote/messaging';
import type { Charge } from '../charges/charge.service';
import { addMonths } from '../ledger/credit-pool';
import { LedgerService } from '../ledger/ledger.service';
import { findPlan, type Interval, type Plan, type PlanId } from '../plans/plan-catalog';
import type { RefundAction } from '../refunds/refund-policy';
import { lockAccount, saveAccount, type BillingAccount } from './billing-account.repository';

export function termEnd(start: Date, interval: Interval): Date {
  return addMonths(start, interval === 'year' ? 12 : 1);
}

export function planOrFail(account: BillingAccount, id: string): Plan {
  const plan = findPlan(account.brand, id);
  if (!plan) {
    throw ProblemError.badRequest(`There is no plan "${id}".`, { field: 'plan' });
  }
  return plan;
}

/** Saves the account and tells everyone its plan changed, in the same transaction. */
export async function saveAndAnnounce(
  outbox: Outbox,
  manager: EntityManager,
  account: BillingAccount,
  previousPlan: PlanId,
  reason: string,
): Promise<void> {
  await saveAccount(manager, account);
  await outbox.add(manager, subscriptionChangedV1, account.userId, {
    userId: account.userId,
    plan: account.plan,
    interval: account.interval,
    previousPlan,
    reason,
    pendingPlan: account.pendingPlan,
  });
}

/** What an approved refund does to the plan besides paying money back. */
@Injectable()
export class PlanActions {
  constructor(
    private readonly clock: Clock,
    private readonly ledger: LedgerService,
    private readonly outbox: Outbox,
  ) {}

  async apply(manager: EntityManager, charge: Charge, action: RefundAction): Promise<void> {
    if (action === 'none') {
      return;
    }
    const account = await lockAccount(manager, charge.userId);
    const before = account.plan;
    switch (action) {
      case 'revert_upgrade': {
        const previous = planOrFail(account, charge.previousPlan ?? 'free');
        account.plan = previous.id;
        account.interval = charge.previousInterval ?? account.interval;
        await this.ledger.applyPlanAllowance(manager, account.userId, previous, 'keep-used');
        break;
      }
      case 'end_subscription':
        account.plan = 'free';
        account.termStart = null;
        account.termEnd = null;
        account.pendingPlan = null;
        account.pendingInterval = null;
        account.endedAt = this.clock.now();
        await this.ledger.applyPlanAllowance(
          manager,
          account.userId,
          planOrFail(account, 'free'),
          'keep-used',
        );
        break;
      case 'convert_to_monthly':
        account.interval = 'month';
        account.termEnd = account.termStart ? termEnd(account.termStart, 'month') : null;
        break;
      case 'switch_to_inr':
        account.currency = 'INR';
        account.paymentMethod = null;
        break;
    }
    await saveAndAnnounce(this.outbox, manager, account, before, `refund_${action}`);
  }
}
