import { z } from 'zod';
import { defineOperation } from '../api/endpoint';
import { list, money, requestSchema, responseSchema, timestamp, uuid } from '../api/schemas';

export const subscriptionBody = requestSchema(
  'ChangeSubscriptionRequest',
  z.object({
    plan: z.string().min(1).max(50),
    interval: z.enum(['month', 'year']).default('month'),
    currency: z.enum(['USD', 'INR']).optional(),
    paymentMethod: z.string().min(1).max(255).optional().meta({
      description: 'One of the catalog’s `paymentMethods` (on Stripe: a PaymentMethod id).',
    }),
  }),
);
export const packBody = requestSchema(
  'BuyCreditPackRequest',
  z.object({
    pack: z.string().min(1).max(50),
    paymentMethod: z.string().min(1).max(255).optional(),
  }),
);
export const paymentMethodSetupBody = requestSchema(
  'PaymentMethodSetupRequest',
  z.object({
    currency: z.enum(['USD', 'INR']).optional().meta({
      description:
        'The currency of the charges to come (default: the account’s); INR registers an e-mandate.',
    }),
  }),
);
export const savePaymentMethodBody = requestSchema(
  'SavePaymentMethodRequest',
  z.object({
    setupId: z
      .string()
      .min(1)
      .max(255)
      .meta({ description: 'The `id` of a setup the client confirmed.' }),
  }),
);
export const refundBody = requestSchema(
  'RefundRequest',
  z.object({
    chargeId: z.string().uuid(),
    reason: z.string().max(2000),
    kind: z
      .enum(['billing_error', 'mistaken_upgrade', 'mistaken_annual', 'technical_error', 'other'])
      .optional(),
  }),
);

const offer = {
  id: z.string(),
  name: z.string(),
  videoCredits: z.number().int(),
  imageCredits: z.number().int(),
};

export const planCatalogSchema = responseSchema(
  'PlanCatalog',
  z.object({
    brand: z.string(),
    currency: z.string(),
    plans: z.array(
      z.object({
        ...offer,
        monthly: money.optional(),
        annual: money.optional().meta({ description: 'Charged once a year.' }),
        annualPerMonth: money.optional(),
      }),
    ),
    packs: z.array(z.object({ ...offer, price: money.optional() })),
    paymentMethods: z
      .array(z.string())
      .meta({ description: 'What a client may pay with here: card everywhere, UPI for INR.' }),
  }),
);

export const subscriptionSchema = responseSchema(
  'Subscription',
  z.object({
    plan: z.string(),
    interval: z.enum(['month', 'year']),
    currency: z.string(),
    status: z.string(),
    periodStart: timestamp,
    periodEnd: timestamp,
    pendingChange: z
      .object({ plan: z.string(), interval: z.string(), effectiveAt: timestamp })
      .nullable()
      .meta({ description: 'A downgrade or cancellation that takes effect at the period end.' }),
    paymentMethod: z.string().nullable(),
  }),
);
export type SubscriptionView = z.infer<typeof subscriptionSchema>;

export const chargeSchema = responseSchema(
  'Charge',
  z.object({
    id: uuid,
    kind: z.enum(['subscription', 'upgrade', 'credit_pack']),
    plan: z.string().nullable(),
    interval: z.string().nullable(),
    pack: z.string().nullable(),
    amount: money.optional(),
    status: z.enum(['succeeded', 'failed']),
    failureReason: z.string().nullable(),
    paymentMethod: z.string().nullable(),
    periodStart: timestamp.nullable(),
    periodEnd: timestamp.nullable(),
    createdAt: timestamp,
  }),
);
export type ChargeView = z.infer<typeof chargeSchema>;

export const paymentMethodSetupSchema = responseSchema(
  'PaymentMethodSetup',
  z.object({
    id: z.string(),
    clientSecret: z.string().meta({
      description:
        'What the client confirms the setup with (Stripe.js `confirmCardSetup`), with the user present.',
    }),
    processor: z.enum(['stripe', 'simulated']),
    status: z.string().meta({
      description:
        '`requires_payment_method` until the client confirms; `succeeded` at once on the simulator.',
    }),
  }),
);

export const savedPaymentMethodSchema = responseSchema(
  'SavedPaymentMethod',
  z.object({
    paymentMethod: z.string(),
    kind: z.string().meta({ description: 'card, …' }),
    mandate: z
      .string()
      .nullable()
      .meta({ description: 'The e-mandate renewals are charged under (Indian cards).' }),
  }),
);

export type SavedPaymentMethodView = z.infer<typeof savedPaymentMethodSchema>;

const decision = z.enum(['approved', 'rejected', 'review']);

export const refundSchema = responseSchema(
  'Refund',
  z.object({
    id: uuid,
    chargeId: uuid,
    decision,
    status: z
      .enum(['pending', 'succeeded', 'failed', 'none'])
      .meta({ description: 'Money on its way, back, not, or nothing to pay.' }),
    amount: money.optional(),
    rule: z.string().meta({ description: 'The refund policy rule that decided.' }),
    explanation: z.string(),
    source: z.enum(['policy', 'automatic', 'goodwill']),
    createdAt: timestamp,
    settledAt: timestamp.nullable(),
  }),
);
export type RefundView = z.infer<typeof refundSchema>;

const refundDecisionSchema = responseSchema(
  'RefundDecision',
  z.object({ decision, amount: money.optional(), rule: z.string(), explanation: z.string() }),
);

const idempotent = ['Idempotency-Key'] as const;

export const billingOperations = {
  plans: defineOperation({
    method: 'get',
    path: '/v1/plans',
    operationId: 'listPlans',
    tag: 'billing',
    summary: "The plans and packs for the caller's brand and country",
    description:
      'One catalog object, not a page (every other collection answers `{items, nextCursor}`).',
    auth: 'bearer',
    responses: { 200: { description: 'The catalog.', json: planCatalogSchema } },
  }),
  getSubscription: defineOperation({
    method: 'get',
    path: '/v1/billing/subscription',
    operationId: 'getSubscription',
    tag: 'billing',
    summary: 'The subscription',
    auth: 'bearer',
    responses: { 200: { description: 'The subscription.', json: subscriptionSchema } },
  }),
  changeSubscription: defineOperation({
    method: 'post',
    path: '/v1/billing/subscription',
    operationId: 'changeSubscription',
    tag: 'billing',
    summary: 'Subscribe, upgrade (charged prorated now) or downgrade (at the period end)',
    auth: 'bearer',
    headers: idempotent,
    body: { json: subscriptionBody },
    responses: {
      200: {
        description: 'The subscription, and the charge if one was made.',
        json: responseSchema(
          'SubscriptionChange',
          z.object({ subscription: subscriptionSchema, charge: chargeSchema.nullable() }),
        ),
      },
    },
    problems: ['payment-declined', 'not-found', 'conflict'],
  }),
  cancelSubscription: defineOperation({
    method: 'delete',
    path: '/v1/billing/subscription',
    operationId: 'cancelSubscription',
    tag: 'billing',
    summary: 'Cancel at the end of the period',
    auth: 'bearer',
    responses: {
      200: { description: 'The subscription, with its pending end.', json: subscriptionSchema },
    },
    problems: ['conflict'],
  }),
  buyCreditPack: defineOperation({
    method: 'post',
    path: '/v1/billing/credit-packs',
    operationId: 'buyCreditPack',
    tag: 'billing',
    summary: 'Buy a credit pack',
    auth: 'bearer',
    headers: idempotent,
    body: { json: packBody },
    responses: { 201: { description: 'The charge.', json: chargeSchema } },
    problems: ['payment-declined', 'not-found'],
  }),
  startPaymentMethodSetup: defineOperation({
    method: 'post',
    path: '/v1/billing/payment-methods/setup',
    operationId: 'startPaymentMethodSetup',
    tag: 'billing',
    summary: 'Start saving a card with the user present (3-D Secure; an e-mandate for INR)',
    description:
      'The client confirms the returned `clientSecret` with Stripe.js, then saves the setup with `POST /v1/billing/payment-methods`; renewals then charge that card without the user.',
    auth: 'bearer',
    headers: idempotent,
    body: { json: paymentMethodSetupBody },
    responses: { 201: { description: 'The setup to confirm.', json: paymentMethodSetupSchema } },
    problems: ['not-found', 'forbidden'],
  }),
  savePaymentMethod: defineOperation({
    method: 'post',
    path: '/v1/billing/payment-methods',
    operationId: 'savePaymentMethod',
    tag: 'billing',
    summary: 'Save a confirmed setup’s card as the one renewals and purchases charge',
    auth: 'bearer',
    body: { json: savePaymentMethodBody },
    responses: { 200: { description: 'The saved method.', json: savedPaymentMethodSchema } },
    problems: ['not-found', 'conflict', 'forbidden'],
  }),
  listCharges: defineOperation({
    method: 'get',
    path: '/v1/billing/charges',
    operationId: 'listCharges',
    tag: 'billing',
    summary: 'Charges, newest first',
    auth: 'bearer',
    responses: { 200: { description: 'The charges.', json: list(chargeSchema) } },
  }),
  quoteRefund: defineOperation({
    method: 'post',
    path: '/v1/billing/refunds/quote',
    operationId: 'quoteRefund',
    tag: 'billing',
    summary: 'What the refund policy would decide, and why (nothing is refunded)',
    auth: 'bearer',
    body: { json: refundBody },
    responses: { 200: { description: 'The decision.', json: refundDecisionSchema } },
    problems: ['not-found'],
  }),
  requestRefund: defineOperation({
    method: 'post',
    path: '/v1/billing/refunds',
    operationId: 'requestRefund',
    tag: 'billing',
    summary: 'Ask for a refund: the published policy decides, with its explanation',
    auth: 'bearer',
    headers: idempotent,
    body: { json: refundBody },
    responses: { 201: { description: 'The refund and its decision.', json: refundSchema } },
    problems: ['not-found', 'conflict'],
  }),
  listRefunds: defineOperation({
    method: 'get',
    path: '/v1/billing/refunds',
    operationId: 'listRefunds',
    tag: 'billing',
    summary: 'Refunds, newest first',
    auth: 'bearer',
    responses: { 200: { description: 'The refunds.', json: list(refundSchema) } },
  }),
} as const;
