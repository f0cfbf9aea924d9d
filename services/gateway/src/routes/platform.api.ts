import { z } from 'zod';
import { defineOperation } from '../api/endpoint';
import { responseSchema } from '../api/schemas';

/** What the gateway serves to anyone: its keys and its health. */
export const publicOperations = {
  jwks: defineOperation({
    method: 'get',
    path: '/.well-known/jwks.json',
    operationId: 'getJwks',
    tag: 'accounts',
    summary: 'The public keys access tokens are signed with',
    auth: 'none',
    responses: {
      200: {
        description: 'A JSON Web Key Set (EC P-256).',
        json: responseSchema(
          'Jwks',
          z.object({
            keys: z.array(
              z.object({
                kty: z.string(),
                crv: z.string().optional(),
                x: z.string().optional(),
                y: z.string().optional(),
                kid: z.string().optional(),
                alg: z.string().optional(),
                use: z.string().optional(),
              }),
            ),
          }),
        ),
      },
    },
  }),
  healthz: defineOperation({
    method: 'get',
    path: '/healthz',
    operationId: 'healthz',
    tag: 'operations',
    summary: 'Liveness: the process answers',
    auth: 'none',
    responses: {
      200: {
        description: 'Alive.',
        json: responseSchema('Liveness', z.object({ status: z.literal('ok') })),
      },
    },
  }),
} as const;

const readiness = responseSchema(
  'Readiness',
  z.object({
    status: z.enum(['ready', 'degraded', 'not ready', 'draining']),
    checks: z.record(z.string(), z.string()).meta({ description: "This process's own checks." }),
    dependencies: z
      .record(z.string(), z.string())
      .optional()
      .meta({ description: 'The services it calls: a missing one degrades only its routes.' }),
  }),
);

/** `/readyz` answers its 503 with the same report, not a problem. */
export const readinessOperation = defineOperation({
  method: 'get',
  path: '/readyz',
  operationId: 'readyz',
  tag: 'operations',
  summary: 'Readiness: this process can serve',
  auth: 'none',
  responses: {
    200: { description: 'Ready, or degraded (a downstream service is missing).', json: readiness },
    503: { description: 'Not ready, or draining (the process is stopping).', json: readiness },
  },
});
