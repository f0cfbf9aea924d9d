import {
  Body,
  Controller,
  Get,
  HttpCode,
  Param,
  Post,
  Query,
  Req,
  Res,
  Headers,
  UseGuards,
} from '@nestjs/common';
import type { Request, Response } from 'express';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { z } from 'zod';
import { agentActionSchema, ProblemError, requireUuid, type supportV1 } from '@fluxnote/contracts';
import { generationView, type GenerationView } from './views';
import { AuthGuard, CurrentCaller, OpenToSuspended, Roles } from '../auth/auth.guard';
import type { Caller } from '../auth/token-verifier';
import { ServiceClients } from '../clients/service-clients';
import { validate } from '../http/validate';
import { clientInfo } from '../http/client-info';
import { RequestLimits } from '../http/request-limits';
import { EventStreams, resumeAfter } from '../http/event-streams';
import { EndsSessions } from '../auth/ends-sessions';

const openBody = z.object({
  channel: z.enum(['chat', 'email']),
  subject: z.string().max(200).optional(),
  body: z.string().min(1).max(20_000),
  jobIds: z.array(z.string().uuid('must be job ids')).max(20).optional(),
  category: z.string().max(40).optional(),
});
const messageBody = z.object({ body: z.string().min(1).max(20_000) });
const weekQuery = z.object({
  week: z
    .string()
    .regex(/^\d{4}-W(0[1-9]|[1-4]\d|5[0-3])$/, 'must be an ISO week such as 2026-W48')
    .optional(),
});
const queueQuery = z.object({ limit: z.coerce.number().int().min(1).max(200).default(50) });

export interface TicketView {
  id: string;
  channel: string;
  subject: string;
  category: string;
  priorityClass: string;
  tags: string[];
  status: string;
  openedAt: string;
  dueAt: string;
  firstResponseAt: string | null;
  jobIds: string[];
  /** A suspension appeal's ticket: the suspension it appeals (`GET /v1/account/suspension`). */
  suspensionId: string | null;
  messages: {
    id: string;
    author: string;
    body: string;
    createdAt: string;
    attachments: supportV1.Attachment[];
  }[];
}

/** What agents see besides: whose ticket, who holds it, how it stands against its target. */
export interface AgentTicketView extends TicketView {
  userId: string;
  claimedBy: string | null;
  standing: string | null;
}

export interface AgentActionView {
  ticketId: string;
  type: string;
  actorId: string;
  takenAt: string;
  outcome: Record<string, unknown>;
}

export interface JobLogView {
  /** The job as its owner sees it at `GET /v1/generations/{id}`. */
  job: GenerationView;
  ticketIds: string[];
  lines: { at: string; kind: string; message: string; data: Record<string, unknown> }[];
}

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
    channel: t.channel,
    subject: t.subject,
    category: t.category,
    priorityClass: t.priorityClass,
    tags: t.tags,
    status: t.status,
    openedAt: t.openedAt,
    dueAt: t.dueAt,
    firstResponseAt: t.firstResponseAt || null,
    jobIds: t.jobIds,
    suspensionId: t.suspensionId || null,
    messages: t.messages.map(messageView),
  };
}

function messageView(m: supportV1.TicketMessage): TicketView['messages'][number] {
  return {
    id: m.id,
    author: m.author,
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
      const batch = await clients.support.waitMessages(
        { viewerId, ticketId, afterSeq, waitMs },
        { deadlineMs: waitMs + 5000 },
      );
      return { items: batch.messages, lastSeq: batch.lastSeq, ended: batch.status === 'closed' };
    },
    render: (message) => ({ id: message.seq, data: { ...messageView(message), ticketId } }),
  });
}

/** Tickets from the customer's side: each user only ever sees their own. Open to suspended accounts (appeals, questions). */
@ApiTags('support')
@ApiBearerAuth()
@UseGuards(AuthGuard)
@OpenToSuspended()
@Controller('v1/support/tickets')
export class SupportController {
  constructor(
    private readonly clients: ServiceClients,
    private readonly streams: EventStreams,
    private readonly limits: RequestLimits,
  ) {}

  /** The conversation live (chat): what either side writes, as it is written. */
  @Get(':id/stream')
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
  @Post()
  @HttpCode(201)
  async open(
    @CurrentCaller() caller: Caller,
    @Body() body: unknown,
    @Req() request: Request,
  ): Promise<TicketView> {
    const input = validate(openBody, body);
    await this.limits.take('ticket-create', { address: clientInfo(request).ip, userId: caller.id });
    return ticketView(
      await this.clients.support.openTicket({
        userId: caller.id,
        channel: input.channel,
        subject: input.subject ?? '',
        body: input.body,
        jobIds: input.jobIds ?? [],
        category: input.category ?? '',
      }),
    );
  }

  @Get()
  async list(@CurrentCaller() caller: Caller): Promise<{ items: TicketView[] }> {
    const list = await this.clients.support.listTickets({ userId: caller.id });
    return { items: list.tickets.map(ticketView) };
  }

  @Get(':id')
  async get(@CurrentCaller() caller: Caller, @Param('id') id: string): Promise<TicketView> {
    return ticketView(await this.clients.support.getTicket({ userId: caller.id, ticketId: id }));
  }

  @Post(':id/messages')
  @HttpCode(201)
  async message(
    @CurrentCaller() caller: Caller,
    @Param('id') id: string,
    @Body() body: unknown,
  ): Promise<TicketView> {
    const input = validate(messageBody, body);
    return ticketView(
      await this.clients.support.addMessage({ userId: caller.id, ticketId: id, body: input.body }),
    );
  }
}

/** The agents' desk; roles are checked again in support against its own records. */
@ApiTags('support')
@ApiBearerAuth()
@UseGuards(AuthGuard)
@Roles('agent', 'senior_agent', 'admin')
@Controller('v1/agent')
export class AgentController {
  constructor(
    private readonly clients: ServiceClients,
    private readonly streams: EventStreams,
  ) {}

  /** A ticket's conversation live, for the agent answering it. */
  @Get('tickets/:id/stream')
  async stream(
    @CurrentCaller() caller: Caller,
    @Param('id') id: string,
    @Headers('last-event-id') lastEventId: string | undefined,
    @Req() request: Request,
    @Res() response: Response,
  ): Promise<void> {
    await streamTicket(this.clients, this.streams, caller.id, id, lastEventId, request, response);
  }

  /** Open tickets in the order they are to be taken: class, then earliest due. */
  @Get('queue')
  async queue(
    @CurrentCaller() caller: Caller,
    @Query('limit') limit?: string,
  ): Promise<{ items: AgentTicketView[] }> {
    const input = validate(queueQuery, { limit });
    const list = await this.clients.support.listQueue({ actorId: caller.id, limit: input.limit });
    return { items: list.tickets.map(agentTicketView) };
  }

  /** 200 with the ticket now held by the caller, or 204 when the queue is empty. */
  @Post('queue/claim')
  async claim(
    @CurrentCaller() caller: Caller,
    @Res({ passthrough: true }) response: Response,
  ): Promise<AgentTicketView | undefined> {
    const result = await this.clients.support.claimNext({ actorId: caller.id, limit: 0 });
    if (!result.ticket) {
      response.status(204);
      return undefined;
    }
    response.status(200);
    return agentTicketView(result.ticket);
  }

  @Post('tickets/:id/reply')
  @HttpCode(201)
  async reply(
    @CurrentCaller() caller: Caller,
    @Param('id') id: string,
    @Body() body: unknown,
  ): Promise<AgentTicketView> {
    const input = validate(messageBody, body);
    return agentTicketView(
      await this.clients.support.reply({ actorId: caller.id, ticketId: id, body: input.body }),
    );
  }

  /**
   * An action on a ticket through the service that owns it (billing, generation,
   * accounts); 200 with what it did. Senior actions are refused to other agents (403).
   */
  @Post('tickets/:id/actions')
  @HttpCode(200)
  async action(
    @CurrentCaller() caller: Caller,
    @Param('id') id: string,
    @Body() body: unknown,
  ): Promise<AgentActionView> {
    const input = validate(agentActionSchema, body);
    const result = await this.clients.support.takeAction({
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

  /** The week's ten biggest ticket categories (with the week before) and first-response attainment. */
  @Get('reports/top-issues')
  async topIssues(
    @CurrentCaller() caller: Caller,
    @Query('week') week?: string,
  ): Promise<supportV1.TopIssuesReport> {
    const input = validate(weekQuery, { week });
    return this.clients.support.topIssues({ actorId: caller.id, week: input.week ?? '' });
  }

  /** A job a ticket cites, with its generation log (inputs, provider calls, timings, errors, decisions). */
  @Get('jobs/:jobId/log')
  async jobLog(
    @CurrentCaller() caller: Caller,
    @Param('jobId') jobId: string,
  ): Promise<JobLogView> {
    const { log, ticketIds } = await this.clients.support.getJobLog({
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
