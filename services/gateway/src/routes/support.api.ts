import { z } from 'zod';
import { agentActionSchema } from '@fluxnote/contracts';
import { defineOperation } from '../api/endpoint';
import { list, requestSchema, responseSchema, timestamp, uuid } from '../api/schemas';
import { generationSchema } from './views';

export const openTicketBody = requestSchema(
  'OpenTicketRequest',
  z.object({
    channel: z.enum(['chat', 'email']),
    subject: z.string().max(200).optional(),
    body: z.string().min(1).max(20_000),
    jobIds: z
      .array(z.string().uuid('must be job ids'))
      .max(20)
      .optional()
      .meta({ description: "The caller's own generations the ticket is about." }),
    category: z.string().max(40).optional(),
  }),
);
export const messageBody = requestSchema(
  'TicketMessageRequest',
  z.object({ body: z.string().min(1).max(20_000) }),
);
export const weekQuery = z.object({
  week: z
    .string()
    .regex(/^\d{4}-W(0[1-9]|[1-4]\d|5[0-3])$/, 'must be an ISO week such as 2026-W48')
    .optional()
    .meta({ description: 'ISO week (`2026-W48`); this week when absent.' }),
});
export const queueQuery = z.object({ limit: z.coerce.number().int().min(1).max(200).default(50) });
export const actionBody = requestSchema('AgentActionRequest', agentActionSchema);

const attachmentSchema = z.object({
  filename: z.string(),
  contentType: z.string(),
  size: z.number().int(),
  checksum: z.string(),
});

export const ticketMessageSchema = responseSchema(
  'TicketMessage',
  z.object({
    id: uuid,
    author: z.enum(['user', 'agent']),
    body: z.string(),
    createdAt: timestamp,
    attachments: z.array(attachmentSchema),
  }),
);
export type TicketMessageView = z.infer<typeof ticketMessageSchema>;

const ticketFields = {
  id: uuid,
  channel: z.enum(['chat', 'email']),
  subject: z.string(),
  category: z.string(),
  priorityClass: z.enum(['security', 'max_priority', 'paid', 'free']),
  tags: z.array(z.string()),
  status: z.enum(['open', 'answered', 'closed']),
  openedAt: timestamp,
  dueAt: timestamp.meta({ description: 'The first-response target of its plan and channel.' }),
  firstResponseAt: timestamp.nullable(),
  jobIds: z.array(uuid),
  suspensionId: uuid.nullable().meta({
    description: 'A suspension appeal: the suspension it appeals (`GET /v1/account/suspension`).',
  }),
  messages: z.array(ticketMessageSchema),
};

export const ticketSchema = responseSchema('Ticket', z.object(ticketFields));
export type TicketView = z.infer<typeof ticketSchema>;

export const agentTicketSchema = responseSchema(
  'AgentTicket',
  z.object({
    ...ticketFields,
    userId: uuid,
    claimedBy: uuid.nullable(),
    standing: z
      .string()
      .nullable()
      .meta({ description: 'How it stands against its target: `on_track`, `near` or `breached`.' }),
  }),
);
export type AgentTicketView = z.infer<typeof agentTicketSchema>;

const agentActionResult = responseSchema(
  'AgentActionResult',
  z.object({
    ticketId: uuid,
    type: z.string(),
    actorId: uuid,
    takenAt: timestamp,
    outcome: z.record(z.string(), z.unknown()).meta({ description: 'What the action did.' }),
  }),
);
export type AgentActionView = z.infer<typeof agentActionResult>;

const jobLogSchema = responseSchema(
  'JobLog',
  z.object({
    job: generationSchema,
    ticketIds: z.array(uuid),
    lines: z.array(
      z.object({
        at: timestamp,
        kind: z.string(),
        message: z.string(),
        data: z.record(z.string(), z.unknown()),
      }),
    ),
  }),
);
export type JobLogView = z.infer<typeof jobLogSchema>;

const topIssuesSchema = responseSchema(
  'TopIssuesReport',
  z.object({
    week: z.string(),
    from: timestamp,
    to: timestamp,
    topIssues: z.array(
      z.object({
        category: z.string(),
        count: z.number().int(),
        previous: z.number().int(),
        trend: z.enum(['up', 'down', 'flat', 'new']),
      }),
    ),
    sla: z.array(
      z.object({
        plan: z.string(),
        channel: z.string(),
        tickets: z.number().int(),
        met: z.number().int(),
        breached: z.number().int(),
        pending: z.number().int(),
        attainment: z.number().optional().meta({ description: 'met / (met + breached).' }),
      }),
    ),
  }),
);

/** A conversation's events: each message with its ticket. */
export const messageEventSchema = responseSchema(
  'TicketMessageEvent',
  z.object({ ...ticketMessageSchema.shape, ticketId: uuid }),
);

const ticketStream = {
  description:
    'The conversation live: what either side writes, as it is written. It ends when the ticket is closed; a reconnect after that is 204 (do not reconnect).',
  events: { event: 'message', data: messageEventSchema },
} as const;
const streamEnded = {
  description: 'The ticket is closed and nothing came after Last-Event-ID.',
  empty: true,
} as const;

const ticketId = { id: 'The ticket id.' };
const agent = ['agent', 'senior_agent', 'admin'] as const;

export const supportOperations = {
  openTicket: defineOperation({
    method: 'post',
    path: '/v1/support/tickets',
    operationId: 'openTicket',
    tag: 'support',
    summary: 'Open a support ticket',
    description:
      'Answers with its category, priority class, first-response target (`dueAt`) and tags. Chat is for paid plans.',
    auth: 'bearer',
    openToSuspended: true,
    body: { json: openTicketBody },
    responses: { 201: { description: 'The ticket.', json: ticketSchema } },
    problems: ['chat-not-on-plan', 'job-not-yours', 'legal-by-email'],
    rateLimited: true,
  }),
  listTickets: defineOperation({
    method: 'get',
    path: '/v1/support/tickets',
    operationId: 'listTickets',
    tag: 'support',
    summary: "The caller's tickets",
    auth: 'bearer',
    openToSuspended: true,
    responses: { 200: { description: 'Newest first.', json: list(ticketSchema) } },
  }),
  getTicket: defineOperation({
    method: 'get',
    path: '/v1/support/tickets/{id}',
    operationId: 'getTicket',
    tag: 'support',
    summary: 'One of the caller’s tickets with its conversation',
    auth: 'bearer',
    openToSuspended: true,
    pathParams: ticketId,
    responses: { 200: { description: 'The ticket.', json: ticketSchema } },
  }),
  addTicketMessage: defineOperation({
    method: 'post',
    path: '/v1/support/tickets/{id}/messages',
    operationId: 'addTicketMessage',
    tag: 'support',
    summary: 'Write in a ticket',
    auth: 'bearer',
    openToSuspended: true,
    pathParams: ticketId,
    body: { json: messageBody },
    responses: { 201: { description: 'The ticket with the message.', json: ticketSchema } },
    problems: ['conflict'],
  }),
  streamTicket: defineOperation({
    method: 'get',
    path: '/v1/support/tickets/{id}/stream',
    operationId: 'streamTicket',
    tag: 'support',
    summary: 'A ticket’s conversation as Server-Sent Events',
    auth: 'bearer',
    openToSuspended: true,
    pathParams: ticketId,
    headers: ['Last-Event-ID'],
    responses: { 200: ticketStream, 204: streamEnded },
  }),
  agentQueue: defineOperation({
    method: 'get',
    path: '/v1/agent/queue',
    operationId: 'agentQueue',
    tag: 'agents',
    summary: 'Open tickets in the order they are to be taken',
    description: 'Class first (security, Max, paid, free), then the earliest due.',
    auth: 'bearer',
    roles: agent,
    query: queueQuery,
    responses: { 200: { description: 'The queue.', json: list(agentTicketSchema) } },
  }),
  claimTicket: defineOperation({
    method: 'post',
    path: '/v1/agent/queue/claim',
    operationId: 'claimTicket',
    tag: 'agents',
    summary: 'Take the next ticket of the queue',
    auth: 'bearer',
    roles: agent,
    responses: {
      200: { description: 'The ticket, now held by the caller.', json: agentTicketSchema },
      204: { description: 'The queue is empty.', empty: true },
    },
  }),
  replyToTicket: defineOperation({
    method: 'post',
    path: '/v1/agent/tickets/{id}/reply',
    operationId: 'replyToTicket',
    tag: 'agents',
    summary: 'Answer a ticket',
    auth: 'bearer',
    roles: agent,
    pathParams: ticketId,
    body: { json: messageBody },
    responses: { 201: { description: 'The ticket with the reply.', json: agentTicketSchema } },
    problems: ['conflict'],
  }),
  takeAction: defineOperation({
    method: 'post',
    path: '/v1/agent/tickets/{id}/actions',
    operationId: 'takeTicketAction',
    tag: 'agents',
    summary: 'Act on a ticket through the service that owns it',
    description:
      'Refund a job’s credits, approve a prompt, a goodwill refund, unfreeze the account or decide an appeal. Senior actions are refused to other agents (403).',
    auth: 'bearer',
    roles: agent,
    pathParams: ticketId,
    body: { json: actionBody },
    responses: { 200: { description: 'What it did.', json: agentActionResult } },
    problems: ['conflict', 'job-not-cited', 'not-an-appeal'],
  }),
  streamAgentTicket: defineOperation({
    method: 'get',
    path: '/v1/agent/tickets/{id}/stream',
    operationId: 'streamAgentTicket',
    tag: 'agents',
    summary: 'A ticket’s conversation live, for the agent answering it',
    auth: 'bearer',
    roles: agent,
    pathParams: ticketId,
    headers: ['Last-Event-ID'],
    responses: { 200: ticketStream, 204: streamEnded },
  }),
  topIssues: defineOperation({
    method: 'get',
    path: '/v1/agent/reports/top-issues',
    operationId: 'topIssues',
    tag: 'agents',
    summary: 'The week’s ten biggest ticket categories and first-response attainment',
    auth: 'bearer',
    roles: agent,
    query: weekQuery,
    responses: { 200: { description: 'The report.', json: topIssuesSchema } },
  }),
  jobLog: defineOperation({
    method: 'get',
    path: '/v1/agent/jobs/{jobId}/log',
    operationId: 'jobLog',
    tag: 'agents',
    summary: 'A cited job with its generation log',
    description: 'Inputs, provider calls, timings, errors and decisions, for a job a ticket cites.',
    auth: 'bearer',
    roles: agent,
    pathParams: { jobId: 'The job id.' },
    responses: { 200: { description: 'The job and its log.', json: jobLogSchema } },
  }),
  inboundEmail: defineOperation({
    method: 'post',
    path: '/v1/support/inbound-email',
    operationId: 'inboundEmail',
    tag: 'support',
    summary: 'Email to support, from the mail provider',
    description:
      'What became of it — opened, appended, duplicate, or ignored (a sender with no account, or one that failed SPF/DKIM/DMARC) — so the provider does not send it again.',
    auth: 'header',
    headers: ['X-Inbound-Email-Secret'],
    body: { raw: ['message/rfc822'], description: 'The raw MIME message.' },
    responses: {
      200: {
        description: 'What became of it.',
        json: responseSchema(
          'InboundEmailOutcome',
          z.object({
            outcome: z.enum(['opened', 'appended', 'duplicate', 'ignored']),
            ticketId: uuid.nullable(),
            reason: z.string().nullable(),
          }),
        ),
      },
    },
    problems: ['not-found', 'email-without-sender'],
  }),
} as const;
