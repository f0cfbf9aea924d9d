/** The port a SECURITY ticket freezes its owner's account through (accounts' `FreezeForSecurityTicket`). */
export abstract class SecurityFreeze {
  abstract freeze(userId: string, ticketId: string, note: string): Promise<void>;
}
