import { z } from 'zod';
import { defineOperation } from '../api/endpoint';
import { responseSchema } from '../api/schemas';

export const webhookOperations = {
  stripe: defineOperation({
    method: 'post',
    path: '/v1/webhooks/stripe',
    operationId: 'stripeWebhook',
    tag: 'webhooks',
    summary: 'A Stripe event',
    description:
      'Billing checks the signature on the exact bytes received; a repeat delivery is answered as the first.',
    auth: 'header',
    headers: ['Stripe-Signature'],
    body: { raw: ['application/json'], description: 'The event as Stripe sent it.' },
    responses: {
      200: {
        description: 'Received.',
        json: responseSchema(
          'StripeWebhookReceipt',
          z.object({
            received: z.literal(true),
            eventId: z.string(),
            type: z.string(),
            outcome: z.string(),
          }),
        ),
      },
    },
  }),
  modelProvider: defineOperation({
    method: 'post',
    path: '/v1/webhooks/model-provider',
    operationId: 'modelProviderWebhook',
    tag: 'webhooks',
    summary: 'A task delivery from the HTTP model provider',
    description: 'Generation checks the signature and wakes the job waiting on that task.',
    auth: 'header',
    headers: ['X-Provider-Signature'],
    body: { raw: ['application/json'], description: 'The delivery as the provider sent it.' },
    responses: {
      200: {
        description: 'Received.',
        json: responseSchema(
          'ProviderWebhookReceipt',
          z.object({ received: z.literal(true), taskId: z.string(), outcome: z.string() }),
        ),
      },
    },
  }),
} as const;
