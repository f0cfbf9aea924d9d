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
import { intake } from './intake.rules';
import {
  ticketRows,
  toTicket,
  type EmailMeta,
  type NewTicket,
  type Ticket,
  type TicketMessage,
  type TicketRow,
} from './tickets.repository';

const plans: readonly SupportPlan[] = ['free', 'rise', 'pro', 'max'];

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
    if (!(await ticketRows.insert(manager, t))) {
      return false;
    }
    await this.appendMessage(manager, t.id, 'user', t.userId, t.body, t.email);
    return true;
  }

  async list(userId: string): Promise<Ticket[]> {
    return (await ticketRows.ofUser(this.dataSource, userId)).map((r) => toTicket(r));
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
    const row = await ticketRows.own(this.dataSource, userId, ticketId);
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

  private readMessages(
    ticketIds: string[],
    afterSeq: number,
  ): Promise<(TicketMessage & { ticketId: string })[]> {
    return ticketRows.messages(this.dataSource, ticketIds, afterSeq);
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
      const status = await ticketRows.lockOwn(manager, userId, ticketId);
      if (!status) {
        throw ProblemError.notFound(`No ticket ${ticketId}.`);
      }
      if (status === 'closed') {
        throw ProblemError.conflict('This ticket is closed. Open a new one.');
      }
      await this.appendMessage(manager, ticketId, 'user', userId, body, email);
      if (status === 'answered') {
        await ticketRows.reopen(manager, ticketId);
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
    await ticketRows.appendMessage(manager, {
      ticketId,
      author,
      authorId,
      body,
      at: this.clock.now(),
      email,
    });
  }
}
