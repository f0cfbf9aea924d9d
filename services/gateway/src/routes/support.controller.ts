import { Body, Controller, Param, Query, Req, Res, Headers, UseGuards } from '@nestjs/common';
import type { Request, Response } from 'express';
import { ProblemError, requireUuid, type supportV1 } from '@fluxnote/contracts';
import { generationView } from './views';
import { AuthGuard, CurrentCaller } from '../auth/auth.guard';
import type { Caller } from '../auth/token-verifier';
import { ServiceClients } from '../clients/service-clients';
import { validate } from '../http/validate';
import { clientInfo } from '../http/client-info';
import { RequestLimits } from '../http/request-limits';
import { EventStreams, resumeAfter } from '../http/event-streams';
import { EndsSessions } from '../auth/ends-sessions';
import { Endpoint } from '../api/endpoint';
import {
  actionBody,
  messageBody,
  openTicketBody,
  queueQuery,
  supportOperations as api,
  weekQuery,
  type AgentActionView,
  type AgentTicketView,
  type JobLogView,
  type TicketMessageView,
  type TicketView,
} from './support.api';

export type { TicketView } from './support.api';

function agentTicketView(t: supportV1.Ticket): AgentTicketView {
  return {
    ...ticketView(t),
    userId: t.userId,
    claimedBy: t.claimedBy || null,
    standing: t.standing || null,
  };
}

export function ticketView(t: supportV1.Ticket): TicketView {
  return {
    id: t.id,
    channel: t.channel as TicketView['channel'],
    subject: t.subject,
    category: t.category,
    priorityClass: t.priorityClass as TicketView['priorityClass'],
    tags: t.tags,
    status: t.status as TicketView['status'],
    openedAt: t.openedAt,
    dueAt: t.dueAt,
    firstResponseAt: t.firstResponseAt || null,
    jobIds: t.jobIds,
    suspensionId: t.suspensionId || null,
    messages: t.messages.map(messageView),
  };
}

function messageView(m: supportV1.TicketMessage): TicketMessageView {
  return {
    id: m.id,
    author: m.author as TicketMessageView['author'],
    body: m.body,
    createdAt: m.createdAt,
    attachments: m.attachments,
  };
}

/**
 * A ticket's conversation as Server-Sent Events (`event: message`, `id:` the
 * message's number; `Last-Event-ID` resumes after it). Ends when the ticket is closed.
 */
function streamTicket(
  clients: ServiceClients,
  streams: EventStreams,
  viewerId: string,
  ticketId: string,
  lastEventId: string | undefined,
  request: Request,
  response: Response,
): Promise<void> {
  return streams.serve(request, response, resumeAfter(lastEventId), {
    event: 'message',
    poll: async (afterSeq, waitMs) => {
      const batch = await clients.tickets.waitMessages(
        { viewerId, ticketId, afterSeq, waitMs },
        { deadlineMs: waitMs + 5000 },
      );
      return { items: batch.messages, lastSeq: batch.lastSeq, ended: batch.status === 'closed' };
    },
    render: (message) => ({ id: message.seq, data: { ...messageView(message), ticketId } }),
  });
}

/** Tickets from the customer's side: each user only ever sees their own. Open to suspended accounts (appeals, questions). */
@UseGuards(AuthGuard)
@Controller()
export class SupportController {
  constructor(
    private readonly clients: ServiceClients,
    private readonly streams: EventStreams,
    private readonly limits: RequestLimits,
  ) {}

  @Endpoint(api.streamTicket)
  async stream(
    @CurrentCaller() caller: Caller,
    @Param('id') id: string,
    @Headers('last-event-id') lastEventId: string | undefined,
    @Req() request: Request,
    @Res() response: Response,
  ): Promise<void> {
    await streamTicket(this.clients, this.streams, caller.id, id, lastEventId, request, response);
  }

  /** 201 with the category, priority class, first-response target (dueAt) and tags. */
  @EndsSessions()
  @Endpoint(api.openTicket)
  async open(
    @CurrentCaller() caller: Caller,
    @Body() body: unknown,
    @Req() request: Request,
  ): Promise<TicketView> {
    const input = validate(openTicketBody, body);
    await this.limits.take('ticket-create', { address: clientInfo(request).ip, userId: caller.id });
    return ticketView(
      await this.clients.tickets.openTicket({
        userId: caller.id,
        channel: input.channel,
        subject: input.subject ?? '',
        body: input.body,
        jobIds: input.jobIds ?? [],
        category: input.category ?? '',
      }),
    );
  }

  @Endpoint(api.listTickets)
  async list(@CurrentCaller() caller: Caller): Promise<{ items: TicketView[] }> {
    const list = await this.clients.tickets.listTickets({ userId: caller.id });
    return { items: list.tickets.map(ticketView) };
  }

  @Endpoint(api.getTicket)
  async get(@CurrentCaller() caller: Caller, @Param('id') id: string): Promise<TicketView> {
    return ticketView(await this.clients.tickets.getTicket({ userId: caller.id, ticketId: id }));
  }

  @Endpoint(api.addTicketMessage)
  async message(
    @CurrentCaller() caller: Caller,
    @Param('id') id: string,
    @Body() body: unknown,
  ): Promise<TicketView> {
    const input = validate(messageBody, body);
    return ticketView(
      await this.clients.tickets.addMessage({ userId: caller.id, ticketId: id, body: input.body }),
    );
  }
}

/** The agents' desk; roles are checked again in support against its own records. */
@UseGuards(AuthGuard)
@Controller()
export class AgentController {
  constructor(
    private readonly clients: ServiceClients,
    private readonly streams: EventStreams,
  ) {}

  @Endpoint(api.streamAgentTicket)
  async stream(
    @CurrentCaller() caller: Caller,
    @Param('id') id: string,
    @Headers('last-event-id') lastEventId: string | undefined,
    @Req() request: Request,
    @Res() response: Response,
  ): Promise<void> {
    await streamTicket(this.clients, this.streams, caller.id, id, lastEventId, request, response);
  }

  @Endpoint(api.agentQueue)
  async queue(
    @CurrentCaller() caller: Caller,
    @Query('limit') limit?: string,
  ): Promise<{ items: AgentTicketView[] }> {
    const input = validate(queueQuery, { limit });
    const list = await this.clients.agentDesk.listQueue({ actorId: caller.id, limit: input.limit });
    return { items: list.tickets.map(agentTicketView) };
  }

  @Endpoint(api.claimTicket)
  async claim(
    @CurrentCaller() caller: Caller,
    @Res({ passthrough: true }) response: Response,
  ): Promise<AgentTicketView | undefined> {
    const result = await this.clients.agentDesk.claimNext({ actorId: caller.id, limit: 0 });
    if (!result.ticket) {
      response.status(204);
      return undefined;
    }
    response.status(200);
    return agentTicketView(result.ticket);
  }

  @Endpoint(api.replyToTicket)
  async reply(
    @CurrentCaller() caller: Caller,
    @Param('id') id: string,
    @Body() body: unknown,
  ): Promise<AgentTicketView> {
    const input = validate(messageBody, body);
    return agentTicketView(
      await this.clients.agentDesk.reply({ actorId: caller.id, ticketId: id, body: input.body }),
    );
  }

  /**
   * An action on a ticket through the service that owns it (billing, generation,
   * accounts); 200 with what it did. Senior actions are refused to other agents (403).
   */
  @Endpoint(api.takeAction)
  async action(
    @CurrentCaller() caller: Caller,
    @Param('id') id: string,
    @Body() body: unknown,
  ): Promise<AgentActionView> {
    const input = validate(actionBody, body);
    const result = await this.clients.agentDesk.takeAction({
      actorId: caller.id,
      ticketId: id,
      type: input.type,
      note: input.note,
      jobId: 'jobId' in input ? input.jobId : '',
      chargeId: 'chargeId' in input ? input.chargeId : '',
      amount: 'amount' in input ? input.amount : undefined,
      decision: 'decision' in input ? input.decision : '',
    });
    return {
      ticketId: result.ticketId,
      type: result.type,
      actorId: result.actorId,
      takenAt: result.takenAt,
      outcome: JSON.parse(result.outcomeJson) as Record<string, unknown>,
    };
  }

  @Endpoint(api.topIssues)
  async topIssues(
    @CurrentCaller() caller: Caller,
    @Query('week') week?: string,
  ): Promise<supportV1.TopIssuesReport> {
    const input = validate(weekQuery, { week });
    return this.clients.reports.topIssues({ actorId: caller.id, week: input.week ?? '' });
  }

  @Endpoint(api.jobLog)
  async jobLog(
    @CurrentCaller() caller: Caller,
    @Param('jobId') jobId: string,
  ): Promise<JobLogView> {
    const { log, ticketIds } = await this.clients.agentDesk.getJobLog({
      actorId: caller.id,
      jobId: requireUuid(jobId, 'jobId'),
    });
    if (!log?.job) {
      throw ProblemError.notFound(`No generation ${jobId}.`);
    }
    return {
      job: generationView(log.job),
      ticketIds,
      lines: log.lines.map((line) => ({
        at: line.at,
        kind: line.kind,
        message: line.message,
        data: JSON.parse(line.dataJson) as Record<string, unknown>,
      })),
    };
  }
}
