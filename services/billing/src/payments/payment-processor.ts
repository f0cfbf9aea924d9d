import type { Currency, Money } from '../money/money';

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

export abstract class PaymentProcessor {
  /** Stored with every charge: which processor holds it. */
  abstract readonly name: string;
  abstract charge(input: ChargeInput): Promise<ChargeOutcome>;
  abstract refund(input: RefundInput): Promise<RefundOutcome>;
  /** Where a pending refund stands now (processors that push this by webhook may answer `pending`). */
  abstract refundStatus(reference: string): Promise<RefundStatus>;
  /** The method charged when the user has none on file (the simulator's test card), or null to require one. */
  abstract defaultPaymentMethod(currency: Currency): string | null;
}
