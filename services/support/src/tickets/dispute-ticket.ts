/** Evidence for a bank dispute goes to the processor this long before its deadline, to be safe. */
export const DISPUTE_EVIDENCE_MARGIN_MS = 2 * 86_400_000;

/**
 * A dispute ticket is due at the customer's usual first-response target, or earlier when the
 * bank's evidence deadline comes sooner: two days before it, so the evidence can still be sent.
 * A deadline already that close makes the ticket due at once.
 */
export function disputeTicketDue(openedAt: Date, slaDue: Date, evidenceDueBy: Date | null): Date {
  if (!evidenceDueBy) {
    return slaDue;
  }
  const evidence = Math.max(
    openedAt.getTime(),
    evidenceDueBy.getTime() - DISPUTE_EVIDENCE_MARGIN_MS,
  );
  return new Date(Math.min(slaDue.getTime(), evidence));
}
