import type { Currency, Money } from '../money/money';
import type { MandateTerms } from './mandate-terms';

/**
 * The payment processor port. Every call carries an idempotency key derived from
 * the billing record it serves, so a retry after a crash reaches the same charge
 * or refund at the processor instead of making a second one.
 */
export interface ChargeInput {
  idempotencyKey: string;
  userId: string;
  amount: Money;
  description: string;
  /** The processor's payment method reference (a card, or a UPI source for INR). */
  paymentMethod: string;
  /**
   * What the charge pays for (user, brand, kind, plan or pack, idempotency key), kept
   * with the processor's record so a payment the platform never recorded (a crash
   * between the processor's answer and the commit) can be found and refunded.
   */
  labels: Record<string, string>;
  /** The e-mandate a saved Indian card is charged under (from its setup). */
  mandate?: string;
}

export type ChargeOutcome =
  /** `methodKind`: how it was paid (`card`, `upi`, …) when the processor says. */
  | { status: 'succeeded'; reference: string; methodKind?: string }
  /** `reference` is set when the processor kept a record of the attempt (an intent it may still complete). */
  | { status: 'declined'; reason: string; reference?: string };

export interface RefundInput {
  idempotencyKey: string;
  /** The processor's reference of the charge; money goes back to the method that paid it. */
  chargeReference: string;
  amount: Money;
}

export type RefundStatus = 'pending' | 'succeeded' | 'failed';

export interface RefundOutcome {
  status: RefundStatus;
  reference: string;
}

/** Saving a payment method with its holder present, for charges made later without them. */
export interface SetupInput {
  idempotencyKey: string;
  userId: string;
  currency: Currency;
  /** Registered with the method (INR cards); none elsewhere. */
  mandate: MandateTerms | null;
}

export interface SetupStarted {
  reference: string;
  /** What the client confirms the setup with (Stripe.js `confirmCardSetup`). */
  clientSecret: string;
  /** The processor's state of it: `requires_payment_method` until the client confirms. */
  status: string;
}

export type SetupOutcome =
  | { status: 'succeeded'; paymentMethod: string; methodKind: string; mandate?: string }
  | { status: 'incomplete'; state: string };

export abstract class PaymentProcessor {
  /** Stored with every charge: which processor holds it. */
  abstract readonly name: string;
  abstract charge(input: ChargeInput): Promise<ChargeOutcome>;
  abstract refund(input: RefundInput): Promise<RefundOutcome>;
  /** Where a pending refund stands now (processors that push this by webhook may answer `pending`). */
  abstract refundStatus(reference: string): Promise<RefundStatus>;
  abstract startSetup(input: SetupInput): Promise<SetupStarted>;
  /** Where the user's setup stands; a not-found problem when there is none of theirs. */
  abstract setupOutcome(userId: string, reference: string): Promise<SetupOutcome>;
  /** The method charged when the user has none on file (the simulator's test card), or null to require one. */
  abstract defaultPaymentMethod(currency: Currency): string | null;
}
