import { money, type Currency, type Money } from '../money/money';
import { packsFor, planPrice, plansFor, type Brand } from '../plans/plan-catalog';

/** What a saved card's e-mandate allows: the most one charge may take, and how it is named. */
export interface MandateTerms {
  maxAmount: Money;
  /** Shown to the cardholder by their bank and in Stripe (at most 80 characters). */
  reference: string;
  description: string;
}

/**
 * India's recurring-payment rules (RBI): a card is charged without its holder at hand only under an
 * e-mandate registered with additional authentication when it is saved, with a ceiling per charge.
 * Every INR charge the platform makes on a saved card is one of the brand's plan renewals (monthly or
 * annual) or packs, so the ceiling is the highest of those prices; a later price rise above it needs
 * the card saved again. Other currencies need no mandate (3-D Secure at saving time is enough).
 */
export function mandateTerms(
  brand: Brand,
  currency: Currency,
  userId: string,
): MandateTerms | null {
  if (currency !== 'INR') {
    return null;
  }
  const charges = [
    ...plansFor(brand).flatMap((plan) => [
      planPrice(plan, 'INR', 'month').amount,
      planPrice(plan, 'INR', 'year').amount,
    ]),
    ...packsFor(brand).map((pack) => pack.prices.INR),
  ];
  return {
    maxAmount: money(Math.max(...charges), 'INR'),
    reference: `${brand}-${userId}`,
    description: `${brand} plan renewals and credit packs`,
  };
}
