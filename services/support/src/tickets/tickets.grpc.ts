import { Controller } from '@nestjs/common';
import { z } from 'zod';
import { isUuid, ProblemError, supportV1, parseInput, requireUuid } from '@fluxnote/contracts';
import { AgentActions } from './agent-actions.service';
import { AgentDesk } from './agent-desk.service';
import { TicketStream } from './ticket-stream';
import { AppealTickets } from './appeal-tickets';
import { InboundEmail } from '../email/inbound-email';
import { WeeklyReports } from '../reports/weekly-reports';
import { TicketsService, type Ticket, type TicketMessage } from './tickets.service';
import { ticketCategories } from './triage';

const openInput = z.object({
  channel: z.enum(['chat', 'email']),
  subject: z.string().trim().max(200),
  body: z.string().trim().min(1, 'is required').max(20_000),
  jobIds: z.array(z.string().uuid('must be job ids')).max(20),
  category: z.enum(ticketCategories).optional(),
});

function toMessage(m: TicketMessage): supportV1.TicketMessage {
  return {
    id: m.id,
    author: m.author,
    body: m.body,
    createdAt: m.createdAt.toISOString(),
    attachments: m.attachments,
    seq: m.seq,
  };
}

function toTicket(t: Ticket & { standing?: string }): supportV1.Ticket {
  return {
    userId: t.userId,
    claimedBy: t.claimedBy ?? '',
    standing: t.standing ?? '',
    id: t.id,
    channel: t.channel,
    subject: t.subject,
    category: t.category,
    priorityClass: t.priorityClass,
    tags: t.tags,
    status: t.status,
    openedAt: t.openedAt.toISOString(),
    dueAt: t.dueAt.toISOString(),
    firstResponseAt: t.firstResponseAt?.toISOString() ?? '',
    jobIds: t.jobIds,
    messages: t.messages.map(toMessage),
    suspensionId: t.suspensionId ?? '',
  };
}

@Controller()
@supportV1.SupportServiceControllerMethods()
export class TicketsGrpcController implements supportV1.SupportServiceController {
  constructor(
    private readonly tickets: TicketsService,
    private readonly desk: AgentDesk,
    private readonly actions: AgentActions,
    private readonly inbound: InboundEmail,
    private readonly reports: WeeklyReports,
    private readonly stream: TicketStream,
    private readonly appeals: AppealTickets,
  ) {}

  async openAppealTicket(request: supportV1.OpenAppealTicketRequest): Promise<supportV1.Ticket> {
    return toTicket(await this.appeals.ofUser(requireUuid(request.userId, 'userId')));
  }

  async waitMessages(request: supportV1.WaitMessagesRequest): Promise<supportV1.MessageBatch> {
    if (!isUuid(request.ticketId)) {
      throw ProblemError.notFound(`No ticket ${request.ticketId}.`);
    }
    const batch = await this.stream.waitAfter(
      requireUuid(request.viewerId, 'viewerId'),
      request.ticketId,
      request.afterSeq,
      request.waitMs,
    );
    return {
      messages: batch.messages.map(toMessage),
      lastSeq: batch.lastSeq,
      status: batch.status,
    };
  }

  async receiveEmail(
    request: supportV1.InboundEmailRequest,
  ): Promise<supportV1.InboundEmailResult> {
    const result = await this.inbound.receive(Buffer.from(request.raw));
    return {
      outcome: result.outcome,
      ticketId: result.ticketId ?? '',
      reason: result.reason ?? '',
    };
  }

  async topIssues(request: supportV1.TopIssuesRequest): Promise<supportV1.TopIssuesReport> {
    const report = await this.reports.topIssues(
      requireUuid(request.actorId, 'actorId'),
      request.week || null,
    );
    return {
      week: report.week,
      from: report.from.toISOString(),
      to: report.to.toISOString(),
      topIssues: report.topIssues,
      sla: report.sla.map((s) => ({ ...s, attainment: s.attainment ?? undefined })),
    };
  }

  async getJobLog(request: supportV1.AgentJobLogRequest): Promise<supportV1.AgentJobLog> {
    const { log, ticketIds } = await this.actions.jobLog(
      requireUuid(request.actorId, 'actorId'),
      requireUuid(request.jobId, 'jobId'),
    );
    return { log, ticketIds };
  }

  /** The request's fields for the action's type (proto3 sends every field; unset ones are empty). */
  async takeAction(request: supportV1.AgentActionRequest): Promise<supportV1.AgentActionResult> {
    if (!isUuid(request.ticketId)) {
      throw ProblemError.notFound(`No ticket ${request.ticketId}.`);
    }
    const result = await this.actions.take(
      requireUuid(request.actorId, 'actorId'),
      request.ticketId,
      {
        type: request.type,
        note: request.note,
        ...(request.jobId ? { jobId: request.jobId } : {}),
        ...(request.chargeId ? { chargeId: request.chargeId } : {}),
        ...(request.amount !== undefined ? { amount: request.amount } : {}),
        ...(request.decision ? { decision: request.decision } : {}),
      },
    );
    return {
      ticketId: result.ticketId,
      type: result.type,
      actorId: result.actorId,
      takenAt: result.takenAt.toISOString(),
      outcomeJson: JSON.stringify(result.outcome),
    };
  }

  async listQueue(request: supportV1.AgentRequest): Promise<supportV1.TicketList> {
    return {
      tickets: (
        await this.desk.queue(requireUuid(request.actorId, 'actorId'), request.limit || 50)
      ).map(toTicket),
    };
  }

  async claimNext(request: supportV1.AgentRequest): Promise<supportV1.ClaimResult> {
    const ticket = await this.desk.claimNext(requireUuid(request.actorId, 'actorId'));
    return ticket ? { ticket: toTicket(ticket) } : {};
  }

  async reply(request: supportV1.AgentReplyRequest): Promise<supportV1.Ticket> {
    const { body } = parseInput(
      z.object({ body: z.string().trim().min(1, 'is required').max(20_000) }),
      { body: request.body },
    );
    if (!isUuid(request.ticketId)) {
      throw ProblemError.notFound(`No ticket ${request.ticketId}.`);
    }
    return toTicket(
      await this.desk.reply(requireUuid(request.actorId, 'actorId'), request.ticketId, body),
    );
  }

  async openTicket(request: supportV1.OpenTicketRequest): Promise<supportV1.Ticket> {
    const input = parseInput(openInput, {
      channel: request.channel,
      subject: request.subject,
      body: request.body,
      jobIds: request.jobIds,
      category: request.category || undefined,
    });
    return toTicket(
      await this.tickets.open(requireUuid(request.userId, 'userId'), {
        channel: input.channel,
        subject: input.subject,
        body: input.body,
        jobIds: input.jobIds,
        chosen: input.category,
      }),
    );
  }

  async listTickets(request: supportV1.ListTicketsRequest): Promise<supportV1.TicketList> {
    return {
      tickets: (await this.tickets.list(requireUuid(request.userId, 'userId'))).map(toTicket),
    };
  }

  async getTicket(request: supportV1.GetTicketRequest): Promise<supportV1.Ticket> {
    if (!isUuid(request.ticketId)) {
      throw ProblemError.notFound(`No ticket ${request.ticketId}.`);
    }
    return toTicket(
      await this.tickets.get(requireUuid(request.userId, 'userId'), request.ticketId),
    );
  }

  async addMessage(request: supportV1.AddMessageRequest): Promise<supportV1.Ticket> {
    const { body } = parseInput(
      z.object({ body: z.string().trim().min(1, 'is required').max(20_000) }),
      {
        body: request.body,
      },
    );
    if (!isUuid(request.ticketId)) {
      throw ProblemError.notFound(`No ticket ${request.ticketId}.`);
    }
    return toTicket(
      await this.tickets.addMessage(requireUuid(request.userId, 'userId'), request.ticketId, body),
    );
  }
}
