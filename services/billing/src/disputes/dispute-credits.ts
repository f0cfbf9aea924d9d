import type { CreditAmounts } from '../ledger/ledger.service';
import { findPack, findPlan, type Brand } from '../plans/plan-catalog';

/** What a disputed charge paid for, in billing's words. */
export interface DisputedCharge {
  brand: Brand;
  kind: 'subscription' | 'upgrade' | 'credit_pack';
  plan: string | null;
  pack: string | null;
}

/**
 * The credits a charge bought: a pack's credits, or the allowance of the plan a subscription or
 * upgrade charge paid for (one cycle's).
 */
export function creditsBoughtBy(charge: DisputedCharge): CreditAmounts {
  if (charge.kind === 'credit_pack') {
    const pack = charge.pack ? findPack(charge.brand, charge.pack) : undefined;
    return { video: pack?.videoCredits ?? 0, image: pack?.imageCredits ?? 0 };
  }
  const plan = charge.plan ? findPlan(charge.brand, charge.plan) : undefined;
  return { video: plan?.videoCredits ?? 0, image: plan?.imageCredits ?? 0 };
}

/**
 * While a bank dispute is open, the credits the disputed charge bought are frozen: what is left
 * of them, since credits already spent cannot be held back. A dispute the platform wins gives
 * them back; one it loses keeps them (the money went back to the cardholder).
 */
export function creditsToFreeze(bought: CreditAmounts, remaining: CreditAmounts): CreditAmounts {
  return {
    video: Math.max(0, Math.min(bought.video, remaining.video)),
    image: Math.max(0, Math.min(bought.image, remaining.image)),
  };
}

/** Stripe's dispute states, in billing's three. */
export function disputeOutcome(status: string): 'open' | 'won' | 'lost' {
  switch (status) {
    case 'won':
    case 'warning_closed': // an inquiry that closed without becoming a chargeback
      return 'won';
    case 'lost':
      return 'lost';
    default:
      return 'open';
  }
}
