/**
 * SPEC §4, fluxnote policy rule 1, "Billing error — double charge, charge after
 * cancellation, wrong regional price", and SPEC §2, "A user in India charged the
 * USD price is owed the overage": which billing error the platform's own records
 * show on a charge. Facts in, decision out; `refund.service.ts` reads the facts
 * and `refund-policy.ts` decides the refund an error earns.
 */
import { money, multiplyRatio, subtract } from '../money/money';
import { findPlan, planPrice, type Brand } from '../plans/plan-catalog';
import type { Charge } from '../charges/charge.service';
import type { BillingAccount } from '../subscriptions/billing-account.repository';
import type { DetectedBillingError } from './refund-policy';

export interface BillingErrorFacts {
  charge: Pick<Charge, 'kind' | 'plan' | 'interval' | 'amount' | 'periodStart' | 'unfulfilled'>;
  account: Pick<BillingAccount, 'country' | 'endedAt' | 'termEnd'> & { brand: Brand };
  /** Another succeeded subscription charge, made earlier, for the same period (the double charge). */
  earlierChargeForSamePeriod: string | null;
  /** Indian rupees to one US dollar, the reference rate for the regional overage. */
  inrPerUsd: number;
}

/**
 * In this order: paid but never fulfilled; a second charge for one period; a
 * subscription charged for a period that starts after the paid term ended (a
 * charge after cancellation); the USD price charged to a user in India, for the
 * overage over the INR price at the reference rate (rounded in the user's favour).
 */
export function detectBillingError(facts: BillingErrorFacts): DetectedBillingError | null {
  const { charge, account } = facts;
  if (charge.unfulfilled) {
    return { type: 'unfulfilled' };
  }
  if (facts.earlierChargeForSamePeriod) {
    return { type: 'duplicate', ofChargeId: facts.earlierChargeForSamePeriod };
  }
  if (
    charge.kind === 'subscription' &&
    account.endedAt !== null &&
    account.termEnd === null &&
    charge.periodStart !== null &&
    charge.periodStart.getTime() >= account.endedAt.getTime()
  ) {
    return { type: 'after_cancellation' };
  }
  if (
    account.country === 'IN' &&
    charge.amount.currency === 'USD' &&
    charge.kind === 'subscription' &&
    charge.plan &&
    charge.interval
  ) {
    const plan = findPlan(account.brand, charge.plan);
    if (plan) {
      // INR paise → US cents at the reference rate (both are hundredths), rounded up in the user's favour.
      const inr = planPrice(plan, 'INR', charge.interval);
      const inUsd = multiplyRatio(money(inr.amount, 'USD'), 1, facts.inrPerUsd, 'up');
      const overage = subtract(charge.amount, inUsd);
      if (overage.amount > 0) {
        return { type: 'regional_price', overage };
      }
    }
  }
  return null;
}
