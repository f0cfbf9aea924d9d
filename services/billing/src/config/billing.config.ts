import { serviceConfigSchema, z } from '@fluxnote/config';

export const billingConfigSchema = serviceConfigSchema(
  {
    /** Accounts' gRPC address (host:port): asked about a user whose registration has not arrived. */
    ACCOUNTS_GRPC_URL: z.string().min(1),
    /** A reservation neither committed nor released is released after this long. */
    RESERVATION_TTL_SECONDS: z.coerce.number().int().positive().default(86_400),
    /** How often expired reservations are swept. */
    RESERVATION_SWEEP_MS: z.coerce.number().int().positive().default(30_000),
    /** How often due renewals (cycle ends) are looked for; missed ones are caught up. */
    RENEWAL_SWEEP_MS: z.coerce.number().int().positive().default(30_000),
    /** How often pending refunds are checked with the processor. */
    REFUND_SWEEP_MS: z.coerce.number().int().positive().default(60_000),
    /** Simulated processor: platform-clock seconds until a refund is confirmed (3 days, as a card refund). */
    SIMULATED_REFUND_SETTLE_SECONDS: z.coerce.number().int().min(0).default(259_200),
    /**
     * Reference rate for a user in India charged the USD price: the overage refunded is the
     * USD charge minus the INR price converted at this many rupees per US dollar.
     */
    INR_PER_USD: z.coerce.number().int().positive().default(88),
    /** Stripe (secret): without it, the clearly labelled simulated processor — never in production. */
    STRIPE_SECRET_KEY: z.string().min(1).optional(),
    /** The Stripe API's address; tests and staging point it at a double. Stripe's own when unset. */
    STRIPE_API_URL: z.string().url().optional(),
    /** Signing secret of the Stripe webhook endpoint (secret). */
    STRIPE_WEBHOOK_SECRET: z.string().min(1).optional(),
  },
  ['STRIPE_SECRET_KEY', 'STRIPE_WEBHOOK_SECRET'],
);

export type BillingConfig = z.infer<typeof billingConfigSchema>;
export const BILLING_CONFIG = Symbol('BILLING_CONFIG');
