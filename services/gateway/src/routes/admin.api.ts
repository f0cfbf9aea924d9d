import { z } from 'zod';
import { defineOperation } from '../api/endpoint';
import { list, requestSchema, responseSchema, timestamp, uuid } from '../api/schemas';
import { suspensionSchema } from './account.api';
import { deadDeliverySchema, userSchema } from './views';

export const deadLetterQuery = z.object({
  limit: z.coerce.number().int().min(1).max(500).default(100),
});

export const clockBody = requestSchema(
  'ClockChange',
  z.union([
    z.object({ now: z.string().datetime({ offset: true }) }).strict(),
    z
      .object({ advance: z.string().regex(/^P/, 'must be an ISO 8601 duration such as P10D') })
      .strict(),
  ]),
);

export const simulatorBody = requestSchema(
  'SimulatorSetting',
  z.object({
    failure: z.enum(['provider_5xx', 'timeout', 'crash', 'output_blocked']).nullable(),
    latencyMs: z.number().int().min(0).max(900_000).optional(),
  }),
);

export const incidentBody = requestSchema(
  'IncidentRequest',
  z.object({
    model: z.string().min(1).max(100),
    message: z.string().min(1).max(2000),
    eta: z.string().max(64).optional().meta({
      description:
        'When the fix is expected: a time with its offset, or a duration from now (`PT2H`).',
    }),
    alternative: z
      .string()
      .min(1)
      .max(100)
      .optional()
      .meta({ description: 'A model to use meanwhile.' }),
  }),
);

export const incidentSchema = responseSchema(
  'Incident',
  z.object({
    id: uuid,
    model: z.string(),
    message: z.string(),
    eta: timestamp.nullable(),
    alternative: z.string().nullable(),
    declaredAt: timestamp,
    affectedUsers: z.number().int(),
  }),
);
export type IncidentView = z.infer<typeof incidentSchema>;

export const suspendBody = requestSchema(
  'SuspendRequest',
  z.object({
    rule: z.string().max(200),
    evidence: z
      .array(z.string().max(200))
      .max(50)
      .meta({ description: 'Generations or actions cited.' }),
    reason: z.string().max(2000).optional().meta({
      description: 'What the user reads; without one, it names the rule and the citations.',
    }),
  }),
);

export const rolesBody = requestSchema(
  'RolesChange',
  z.object({
    roles: z.array(z.enum(['user', 'agent', 'senior_agent', 'admin'])).max(4),
    note: z.string().max(500).optional(),
  }),
);

const simulatorSchema = responseSchema(
  'SimulatorModel',
  z.object({ model: z.string(), failure: z.string().nullable(), latencyMs: z.number().int() }),
);
export type SimulatorView = z.infer<typeof simulatorSchema>;

const admin = ['admin'] as const;
const userId = { id: 'The user id.' };

export const adminOperations = {
  deadLetters: defineOperation({
    method: 'get',
    path: '/v1/admin/notifications/dead-letters',
    operationId: 'listDeadDeliveries',
    tag: 'operations',
    summary: 'Deliveries that failed every attempt, newest first',
    auth: 'bearer',
    roles: admin,
    query: deadLetterQuery,
    responses: { 200: { description: 'The dead deliveries.', json: list(deadDeliverySchema) } },
  }),
  moveClock: defineOperation({
    method: 'post',
    path: '/v1/admin/clock',
    operationId: 'moveClock',
    tag: 'operations',
    summary: 'Set or advance the platform clock (not in production)',
    description: 'Answers once the gateway’s own clock has the new time.',
    auth: 'bearer',
    roles: admin,
    body: { json: clockBody },
    responses: {
      200: {
        description: 'The platform time now.',
        json: responseSchema('ClockTime', z.object({ now: timestamp })),
      },
    },
  }),
  setSimulator: defineOperation({
    method: 'put',
    path: '/v1/admin/simulator/models/{model}',
    operationId: 'setSimulatorModel',
    tag: 'operations',
    summary: 'Make a simulated model fail or slow down (not in production)',
    auth: 'bearer',
    roles: admin,
    pathParams: { model: 'The model id.' },
    body: { json: simulatorBody },
    responses: { 200: { description: 'The setting.', json: simulatorSchema } },
  }),
  declareIncident: defineOperation({
    method: 'post',
    path: '/v1/admin/incidents',
    operationId: 'declareIncident',
    tag: 'operations',
    summary: 'Declare an incident on a model',
    description: 'Everyone who used it in the last 48 hours is told once (feed, email, push).',
    auth: 'bearer',
    roles: admin,
    body: { json: incidentBody },
    responses: { 201: { description: 'The incident.', json: incidentSchema } },
  }),
  suspend: defineOperation({
    method: 'post',
    path: '/v1/admin/users/{id}/suspend',
    operationId: 'suspendUser',
    tag: 'operations',
    summary: 'Suspend a user for a rule, citing generations or actions',
    description: 'The user is emailed the rule and the citations, and may appeal once.',
    auth: 'bearer',
    roles: admin,
    pathParams: userId,
    body: { json: suspendBody },
    responses: { 201: { description: 'The suspension.', json: suspensionSchema } },
    problems: ['conflict'],
  }),
  setRoles: defineOperation({
    method: 'put',
    path: '/v1/admin/users/{id}/roles',
    operationId: 'setUserRoles',
    tag: 'operations',
    summary: "Set a person's roles",
    description: '`user` is always kept; the new roles are in their next access token.',
    auth: 'bearer',
    roles: admin,
    pathParams: userId,
    body: { json: rolesBody },
    responses: { 200: { description: 'The user.', json: userSchema } },
  }),
} as const;
