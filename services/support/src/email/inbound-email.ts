import { Injectable, Logger } from '@nestjs/common';
import { simpleParser, type ParsedMail } from 'mailparser';
import { DataSource } from 'typeorm';
import { ProblemError } from '@fluxnote/contracts';
import { isUniqueViolation } from '@fluxnote/persistence';
import { ticketRows, type EmailMeta } from '../tickets/tickets.repository';
import { customerRows } from '../customers/customers.repository';
import { TicketsService } from '../tickets/tickets.service';
import { cleanSubject, replyText, ticketTokenOf } from './reply-text';

export type InboundOutcome = 'opened' | 'appended' | 'duplicate' | 'ignored';

export interface InboundResult {
  outcome: InboundOutcome;
  ticketId: string | null;
  /** Why a message was ignored. */
  reason: string | null;
}

const MAX_MESSAGE_BYTES = 3 * 1024 * 1024;
const uuidPattern = /\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b/gi;

/**
 * Whether the mail provider vouched for the sender: its Authentication-Results
 * header says DMARC passed, or SPF or DKIM passed with no DMARC failure. A From
 * address alone is easy to forge, and a forged one must not write to someone's
 * tickets or freeze their account with a SECURITY line.
 */
export function senderVerified(mail: ParsedMail): boolean {
  const header = mail.headers.get('authentication-results');
  const results = (Array.isArray(header) ? header : [header])
    .filter((h): h is string => typeof h === 'string')
    .join('; ')
    .toLowerCase();
  if (/\bdmarc=(fail|quarantine|reject)\b/.test(results)) {
    return false;
  }
  return /\b(dmarc|dkim|spf)=pass\b/.test(results);
}

function referencesOf(mail: ParsedMail): string[] {
  const references = Array.isArray(mail.references)
    ? mail.references
    : mail.references
      ? [mail.references]
      : [];
  return [...(mail.inReplyTo ? [mail.inReplyTo] : []), ...references];
}

/**
 * Email to support, as the mail provider hands it over: raw MIME, parsed with
 * mailparser. The sender must be a customer (by their account's address, with
 * the provider's SPF/DKIM/DMARC verdict passing); a
 * reply joins its ticket — by the reply headers naming a message of that
 * ticket, or the ticket token in the subject — and anything else opens an
 * email ticket, triaged like one from the app (a first line `SECURITY`
 * freezes the account). Attachments are kept as references (name, type, size,
 * checksum), not stored. The same message delivered twice is taken once.
 */
@Injectable()
export class InboundEmail {
  private readonly logger = new Logger(InboundEmail.name);

  constructor(
    private readonly dataSource: DataSource,
    private readonly tickets: TicketsService,
  ) {}

  async receive(raw: Buffer): Promise<InboundResult> {
    if (raw.length === 0 || raw.length > MAX_MESSAGE_BYTES) {
      throw ProblemError.badRequest('An inbound email is raw MIME of at most 3 MiB.');
    }
    const mail = await simpleParser(raw, { skipImageLinks: true });
    const from = mail.from?.value[0]?.address?.trim().toLowerCase();
    if (!from) {
      throw ProblemError.unprocessable(
        'email-without-sender',
        'No sender',
        'The message has no From address.',
      );
    }
    if (!senderVerified(mail)) {
      this.logger.warn('inbound email without a passing SPF, DKIM or DMARC result: ignored');
      return { outcome: 'ignored', ticketId: null, reason: 'unverified-sender' };
    }
    const customer = await customerRows.byEmail(this.dataSource, from);
    if (!customer) {
      // Not ours to answer (and nothing to tell the sender about who has an account).
      this.logger.warn('inbound email from an address no customer has: ignored');
      return { outcome: 'ignored', ticketId: null, reason: 'unknown-sender' };
    }
    const email: EmailMeta = {
      messageId: mail.messageId ?? null,
      attachments: mail.attachments.map((a) => ({
        filename: a.filename ?? 'attachment',
        contentType: a.contentType,
        size: a.size,
        checksum: a.checksum,
      })),
    };
    if (email.messageId) {
      const seen = await ticketRows.byEmailMessage(this.dataSource, email.messageId);
      if (seen) {
        // (a Message-ID is the sender's to choose: another customer's ticket is not named)
        const own = seen.userId === customer;
        return { outcome: 'duplicate', ticketId: own ? seen.ticketId : null, reason: null };
      }
    }
    const body = replyText(mail.text ?? '') || '(no text)';
    try {
      const threadId = await this.threadOf(customer, mail);
      if (threadId) {
        await this.tickets.addMessage(customer, threadId, body, email);
        return { outcome: 'appended', ticketId: threadId, reason: null };
      }
      const ticket = await this.tickets.open(
        customer,
        {
          channel: 'email',
          subject: cleanSubject(mail.subject ?? '').slice(0, 200),
          body,
          // ids the mail names that are not the sender's own are left out
          jobIds: await this.tickets.ownJobs(
            customer,
            [...new Set(body.match(uuidPattern) ?? [])].slice(0, 20),
          ),
        },
        email,
      );
      return { outcome: 'opened', ticketId: ticket.id, reason: null };
    } catch (error) {
      if (isUniqueViolation(error, 'ticket_messages_email_message_id_key')) {
        return this.receive(raw); // the same message, delivered twice at once: now a duplicate
      }
      throw error;
    }
  }

  /** The customer's open or answered ticket this message replies to, if any. */
  private async threadOf(userId: string, mail: ParsedMail): Promise<string | null> {
    const references = referencesOf(mail);
    const token = ticketTokenOf(mail.subject ?? '');
    return (await ticketRows.threadOf(this.dataSource, userId, token, references)) ?? null;
  }
}
