import { z } from 'zod';
import { defineOperation } from '../api/endpoint';
import { list, requestSchema, responseSchema, timestamp, uuid } from '../api/schemas';
import { ticketSchema } from './support.api';
import { userSchema } from './views';

export const appealBody = requestSchema(
  'AppealRequest',
  z.object({ statement: z.string().max(5000) }),
);
export const loginsQuery = z.object({
  limit: z.coerce.number().int().min(1).max(100).default(20),
});

const poolSchema = responseSchema(
  'CreditPool',
  z.object({
    allowance: z.number().int(),
    used: z.number().int(),
    reserved: z.number().int().meta({ description: 'Held by jobs that have not finished.' }),
    remaining: z.number().int(),
    packCredits: z
      .number()
      .int()
      .meta({ description: 'Bought in packs (kept across cycles); part of remaining.' }),
  }),
);

export const usageSchema = responseSchema(
  'Usage',
  z.object({
    plan: z.string(),
    video: poolSchema,
    image: poolSchema,
    periodStart: timestamp,
    periodEnd: timestamp,
  }),
);

export const loginSchema = responseSchema(
  'Login',
  z.object({
    id: uuid,
    at: timestamp,
    outcome: z.string().meta({ description: 'succeeded, challenged, failed, blocked, …' }),
    device: z.string(),
    ip: z.string().nullable(),
    country: z.string().nullable(),
  }),
);
export type LoginView = z.infer<typeof loginSchema>;

export const suspensionSchema = responseSchema(
  'Suspension',
  z.object({
    id: uuid,
    rule: z.string(),
    evidence: z.array(z.string()).meta({ description: 'The generations or actions cited.' }),
    reason: z.string(),
    createdAt: timestamp,
    appeal: z
      .object({ statement: z.string(), appealedAt: timestamp, decideBy: timestamp })
      .nullable(),
    decision: z
      .object({
        decision: z.enum(['upheld', 'overturned']),
        note: z.string(),
        decidedAt: timestamp,
      })
      .nullable(),
  }),
);
export type SuspensionView = z.infer<typeof suspensionSchema>;

export const accountOperations = {
  me: defineOperation({
    method: 'get',
    path: '/v1/me',
    operationId: 'getMe',
    tag: 'accounts',
    summary: 'Who the caller is, and their plan',
    auth: 'bearer',
    openToSuspended: true,
    responses: {
      200: {
        description:
          'The caller (`plan` is null for the moment after sign-up it takes to open billing).',
        json: responseSchema('Me', z.object({ ...userSchema.shape, plan: z.string().nullable() })),
      },
    },
  }),
  usage: defineOperation({
    method: 'get',
    path: '/v1/usage',
    operationId: 'getUsage',
    tag: 'billing',
    summary: 'Credits of this billing period',
    auth: 'bearer',
    responses: { 200: { description: 'Video and image credits.', json: usageSchema } },
    problems: ['not-found'],
  }),
  deleteAccount: defineOperation({
    method: 'delete',
    path: '/v1/account',
    operationId: 'deleteAccount',
    tag: 'accounts',
    summary: 'Delete the account and all its data within 72 hours',
    description: 'No soft delete, no archive; sessions end now. Asking again answers the same.',
    auth: 'bearer',
    openToSuspended: true,
    responses: {
      202: {
        description: 'Deleting.',
        json: responseSchema(
          'AccountDeletion',
          z.object({ status: z.literal('deleting'), purgeBy: timestamp }),
        ),
      },
    },
  }),
  logins: defineOperation({
    method: 'get',
    path: '/v1/account/logins',
    operationId: 'listLogins',
    tag: 'accounts',
    summary: 'Recent log-ins and attempts on the account',
    auth: 'bearer',
    openToSuspended: true,
    query: loginsQuery,
    responses: { 200: { description: 'Newest first.', json: list(loginSchema) } },
  }),
  notMe: defineOperation({
    method: 'post',
    path: '/v1/account/logins/{id}/not-me',
    operationId: 'reportLoginNotMe',
    tag: 'accounts',
    summary: 'Report a log-in that was not the caller',
    description: 'Locks the account at once and ends every session; the email says how to recover.',
    auth: 'bearer',
    pathParams: { id: 'The log-in id.' },
    responses: {
      200: {
        description: 'Locked.',
        json: responseSchema('AccountLocked', z.object({ status: z.string(), detail: z.string() })),
      },
    },
  }),
  suspension: defineOperation({
    method: 'get',
    path: '/v1/account/suspension',
    operationId: 'getSuspension',
    tag: 'accounts',
    summary: 'Why the account is suspended and where its appeal stands',
    auth: 'bearer',
    openToSuspended: true,
    responses: { 200: { description: 'The suspension.', json: suspensionSchema } },
    problems: ['not-found'],
  }),
  appeal: defineOperation({
    method: 'post',
    path: '/v1/account/suspension/appeal',
    operationId: 'appealSuspension',
    tag: 'accounts',
    summary: 'Appeal the suspension (once)',
    description:
      'A senior agent decides within 48 hours. Answers with the appeal’s ticket, which links the suspension (`suspensionId`). A second appeal is 409.',
    auth: 'bearer',
    openToSuspended: true,
    body: { json: appealBody },
    responses: { 201: { description: 'The appeal’s ticket.', json: ticketSchema } },
    problems: ['not-found', 'conflict', 'not-appealed'],
  }),
} as const;
