/** How a charge was paid, as billing recorded it; null for a charge from before it was recorded. */
export type RefundMethod = 'card' | 'upi' | null;

/** The published promise: a refund reaches the original method within 3–5 business days. */
export const REFUND_DAYS = '3–5 business days';

/**
 * Where a refund goes and when it arrives, in the words of the refund policy (seeds): back to the
 * original payment method within 3–5 business days, and for UPI to the source UPI ID.
 */
export function refundRoute(method: RefundMethod | undefined): {
  /** "the card you paid with" */
  destination: string;
  /** "within 3–5 business days" */
  arrival: string;
} {
  switch (method) {
    case 'upi':
      return { destination: 'the UPI ID you paid from', arrival: `within ${REFUND_DAYS}` };
    case 'card':
      return { destination: 'the card you paid with', arrival: `within ${REFUND_DAYS}` };
    default:
      return { destination: 'the payment method you paid with', arrival: `within ${REFUND_DAYS}` };
  }
}
