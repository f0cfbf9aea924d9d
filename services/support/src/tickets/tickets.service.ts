import { Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { DataSource, type EntityManager } from 'typeorm';
import { Clock } from '@fluxnote/clock';
import { ProblemError } from '@fluxnote/contracts';
import { SecurityFreeze } from '../platform/security-freeze';
import { Customers } from '../customers/customers';
import { CitedJobs } from '../platform/cited-jobs';
import { SlaClocks, type SupportChannel, type SupportPlan } from '../sla/sla-clock';
import { firstLineOf, triage, type TicketCategory } from './triage';
import { intake, priorityClassName, type PriorityClassName } from './intake.rules';

/** An email attachment, kept as a reference: the file itself is not stored. */
export interface AttachmentRef {
  filename: string;
  contentType: string;
  size: number;
  checksum: string;
}

/** What an inbound email adds to a message: its Message-ID (threading, duplicates) and attachments. */
export interface EmailMeta {
  messageId: string | null;
  attachments: AttachmentRef[];
}

export interface TicketMessage {
  id: string;
  /** Its place in the ticket's live stream. */
  seq: number;
  author: 'user' | 'agent';
  body: string;
  createdAt: Date;
  attachments: AttachmentRef[];
}

export interface Ticket {
  id: string;
  userId: string;
  channel: SupportChannel;
  subject: string;
  category: TicketCategory;
  priorityClass: PriorityClassName;
  tags: string[];
  status: 'open' | 'answered' | 'closed';
  jobIds: string[];
  openedAt: Date;
  dueAt: Date;
  firstResponseAt: Date | null;
  /** The agent holding it, if any. */
  claimedBy: string | null;
  /** A suspension appeal's ticket: the suspension it appeals. */
  suspensionId: string | null;
  messages: TicketMessage[];
}

export interface NewTicket {
  id: string;
  userId: string;
  brand: string;
  plan: SupportPlan;
  channel: SupportChannel;
  subject: string;
  category: TicketCategory;
  /** `PriorityClass` of `intake.rules.ts`. */
  priorityClass: number;
  tags: string[];
  jobIds: string[];
  openedAt: Date;
  dueAt: Date;
  /** Only senior agents take it (security, suspension appeals). */
  forSeniors: boolean;
  suspensionId: string | null;
  /** The bank dispute it answers (one ticket per dispute). */
  disputeId?: string | null;
  /** The customer's first message. */
  body: string;
  /** When it came by email. */
  email?: EmailMeta;
}

export interface TicketRow {
  id: string;
  user_id: string;
  channel: SupportChannel;
  subject: string;
  category: TicketCategory;
  priority_class: number;
  tags: string[];
  status: Ticket['status'];
  job_ids: string[];
  opened_at: Date;
  due_at: Date;
  first_response_at: Date | null;
  claimed_by: string | null;
  brand: string;
  plan: SupportPlan;
  for_seniors: boolean;
  suspension_id: string | null;
}

/** NOTIFY channel: a ticket's id when a message is added to it. */
export const TICKET_MESSAGES_CHANNEL = 'support_ticket_messages';

const plans: readonly SupportPlan[] = ['free', 'rise', 'pro', 'max'];

function toTicket(row: TicketRow, messages: TicketMessage[] = []): Ticket {
  return {
    id: row.id,
    userId: row.user_id,
    channel: row.channel,
    subject: row.subject,
    category: row.category,
    priorityClass: priorityClassName(row.priority_class),
    tags: row.tags,
    status: row.status,
    jobIds: row.job_ids,
    openedAt: row.opened_at,
    dueAt: row.due_at,
    firstResponseAt: row.first_response_at,
    claimedBy: row.claimed_by,
    suspensionId: row.suspension_id,
    messages,
  };
}

/**
 * Tickets from the customer's side: opened with a category, a priority class and
 * a first-response target; a customer sees and writes to their own only.
 */
@Injectable()
export class TicketsService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly clock: Clock,
    private readonly securityFreeze: SecurityFreeze,
    private readonly customers: Customers,
    private readonly citedJobs: CitedJobs,
    private readonly slaClocks: SlaClocks,
  ) {}

  async open(
    userId: string,
    input: {
      channel: SupportChannel;
      subject: string;
      body: string;
      jobIds: string[];
      chosen?: TicketCategory;
    },
    email?: EmailMeta,
  ): Promise<Ticket> {
    await this.assertOwnJobs(userId, input.jobIds);
    const customer = await this.customers.forTicket(userId);
    const brand = customer.brand;
    const plan: SupportPlan = plans.includes(customer.plan as SupportPlan)
      ? (customer.plan as SupportPlan)
      : 'free';
    const category = triage({ ...input });
    const decided = intake({
      firstLine: firstLineOf(input.body),
      category,
      plan,
      channel: input.channel,
    });
    if (decided.refused) {
      throw ProblemError.unprocessable(
        'legal-by-email',
        'Legal matters go by email',
        'Legal matters are handled by email only. Open the ticket with channel "email".',
      );
    }
    const { security, tags, priorityClass } = decided;
    const sla = this.slaClocks.forBrand(brand);
    const target = sla.target(plan, input.channel, { security });
    if (!target) {
      throw ProblemError.forbidden(
        'Chat is for paid plans. Write to us by email (channel "email"), or upgrade for chat.',
        { type: 'chat-not-on-plan' },
      );
    }
    const id = randomUUID();
    if (decided.freeze) {
      // Frozen at once, before the ticket exists: if accounts cannot be reached the customer is told
      // to retry (no ticket is left unprotected), and a retried ticket freezes once.
      await this.securityFreeze
        .freeze(userId, id, `SECURITY ticket: ${input.subject || input.body}`.slice(0, 500))
        .catch((error: unknown) => {
          throw ProblemError.unavailable(
            `We could not protect your account just now (${error instanceof Error ? error.message : 'accounts unreachable'}). Send the ticket again in a moment.`,
          );
        });
    }
    const openedAt = this.clock.now();
    const subject = input.subject.trim() || input.body.trim().split('\n', 1)[0].slice(0, 120);
    await this.dataSource.transaction((manager) =>
      this.insert(manager, {
        id,
        userId,
        brand,
        plan,
        channel: input.channel,
        subject,
        category,
        priorityClass,
        tags,
        jobIds: input.jobIds,
        openedAt,
        dueAt: sla.dueAt(openedAt, target),
        forSeniors: decided.forSeniors,
        suspensionId: null,
        body: input.body,
        email,
      }),
    );
    return this.get(userId, id);
  }

  /**
   * Writes a new ticket with the customer's first message, in the caller's
   * transaction. One ticket per suspension and per dispute: false if it has one already.
   */
  async insert(manager: EntityManager, t: NewTicket): Promise<boolean> {
    const inserted = await manager.query<{ id: string }[]>(
      `INSERT INTO support.tickets (id, user_id, brand, plan, channel, subject, category, priority_class,
         tags, status, job_ids, opened_at, due_at, for_seniors, suspension_id, dispute_id)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 'open', $10, $11, $12, $13, $14, $15)
       ON CONFLICT DO NOTHING RETURNING id`,
      [
        t.id,
        t.userId,
        t.brand,
        t.plan,
        t.channel,
        t.subject,
        t.category,
        t.priorityClass,
        t.tags,
        t.jobIds,
        t.openedAt,
        t.dueAt,
        t.forSeniors,
        t.suspensionId,
        t.disputeId ?? null,
      ],
    );
    if (inserted.length === 0) {
      return false;
    }
    await this.appendMessage(manager, t.id, 'user', t.userId, t.body, t.email);
    return true;
  }

  async list(userId: string): Promise<Ticket[]> {
    const rows = await this.dataSource.query<TicketRow[]>(
      `SELECT * FROM support.tickets WHERE user_id = $1 ORDER BY opened_at DESC LIMIT 100`,
      [userId],
    );
    return rows.map((r) => toTicket(r));
  }

  /** Of the job ids a text names (an email's body), the ones that are the customer's own. */
  async ownJobs(userId: string, jobIds: readonly string[]): Promise<string[]> {
    return (await this.ownership(userId, jobIds)).filter((j) => j.owned).map((j) => j.jobId);
  }

  /**
   * A ticket cites only its customer's own jobs: an agent answering it reads their logs and
   * prompts. Someone else's job is refused as one that does not exist would be, so a ticket
   * cannot tell whether an id is anyone's.
   */
  private async assertOwnJobs(userId: string, jobIds: readonly string[]): Promise<void> {
    const stranger = (await this.ownership(userId, jobIds)).find((job) => !job.owned);
    if (stranger) {
      throw ProblemError.unprocessable(
        'job-not-yours',
        'Not one of your jobs',
        `A ticket can cite only your own jobs; ${stranger.jobId} is not one of them.`,
        { jobId: stranger.jobId },
      );
    }
  }

  private ownership(
    userId: string,
    jobIds: readonly string[],
  ): Promise<{ jobId: string; owned: boolean }[]> {
    return Promise.all(
      [...new Set(jobIds)].map((jobId) =>
        this.citedJobs.customerJob(userId, jobId).then(
          () => ({ jobId, owned: true }),
          (error: unknown) => {
            if (error instanceof ProblemError && error.problem.status === 404) {
              return { jobId, owned: false };
            }
            throw ProblemError.unavailable(
              'We could not check the jobs this ticket cites just now. Send it again in a moment.',
            );
          },
        ),
      ),
    );
  }

  /** The customer's own ticket with its messages; anyone else's is not found. */
  async get(userId: string, ticketId: string): Promise<Ticket> {
    const [row] = await this.dataSource.query<TicketRow[]>(
      `SELECT * FROM support.tickets WHERE id = $1 AND user_id = $2`,
      [ticketId, userId],
    );
    if (!row) {
      throw ProblemError.notFound(`No ticket ${ticketId}.`);
    }
    const [ticket] = await this.withMessages([row]);
    return ticket;
  }

  /** Tickets from their rows, with every one's messages read in one query. */
  async withMessages(rows: TicketRow[]): Promise<Ticket[]> {
    const messages = await this.readMessages(
      rows.map((r) => r.id),
      0,
    );
    return rows.map((row) =>
      toTicket(
        row,
        messages.filter((m) => m.ticketId === row.id),
      ),
    );
  }

  /** A ticket's messages after a place in its stream, in order. */
  async messagesAfter(ticketId: string, afterSeq: number): Promise<TicketMessage[]> {
    return this.readMessages([ticketId], afterSeq);
  }

  private async readMessages(
    ticketIds: string[],
    afterSeq: number,
  ): Promise<(TicketMessage & { ticketId: string })[]> {
    const rows = await this.dataSource.query<
      {
        id: string;
        ticket_id: string;
        author: 'user' | 'agent';
        body: string;
        created_at: Date;
        attachments: AttachmentRef[];
        seq: string;
      }[]
    >(
      `SELECT id, ticket_id, author, body, created_at, attachments, seq FROM support.ticket_messages
        WHERE ticket_id = ANY ($1) AND seq > $2 ORDER BY seq`,
      [ticketIds, afterSeq],
    );
    return rows.map((m) => ({
      id: m.id,
      ticketId: m.ticket_id,
      seq: Number(m.seq),
      author: m.author,
      body: m.body,
      createdAt: m.created_at,
      attachments: m.attachments,
    }));
  }

  /**
   * The customer writes again: an answered ticket is open again (it waits for an
   * agent); a closed one takes no more messages (open a new one).
   */
  async addMessage(
    userId: string,
    ticketId: string,
    body: string,
    email?: EmailMeta,
  ): Promise<Ticket> {
    await this.dataSource.transaction(async (manager) => {
      const [row] = await manager.query<{ status: string }[]>(
        `SELECT status FROM support.tickets WHERE id = $1 AND user_id = $2 FOR UPDATE`,
        [ticketId, userId],
      );
      if (!row) {
        throw ProblemError.notFound(`No ticket ${ticketId}.`);
      }
      if (row.status === 'closed') {
        throw ProblemError.conflict('This ticket is closed. Open a new one.');
      }
      await this.appendMessage(manager, ticketId, 'user', userId, body, email);
      if (row.status === 'answered') {
        await manager.query(`UPDATE support.tickets SET status = 'open' WHERE id = $1`, [ticketId]);
      }
    });
    return this.get(userId, ticketId);
  }

  /** A message on a ticket, from its customer or an agent, in the caller's transaction. */
  async appendMessage(
    manager: EntityManager,
    ticketId: string,
    author: 'user' | 'agent',
    authorId: string,
    body: string,
    email?: EmailMeta,
  ): Promise<void> {
    // The live streams of the ticket wake at commit.
    await manager.query(
      `WITH message AS (
         INSERT INTO support.ticket_messages (id, ticket_id, author, author_id, body, created_at,
           email_message_id, attachments)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING ticket_id
       )
       SELECT pg_notify($9, ticket_id::text) FROM message`,
      [
        randomUUID(),
        ticketId,
        author,
        authorId,
        body,
        this.clock.now(),
        email?.messageId ?? null,
        JSON.stringify(email?.attachments ?? []),
        TICKET_MESSAGES_CHANNEL,
      ],
    );
  }
}
