import { serviceConfigSchema, z } from '@fluxnote/config';

export const billingConfigSchema = serviceConfigSchema({
  /** A reservation neither committed nor released is released after this long. */
  RESERVATION_TTL_SECONDS: z.coerce.number().int().positive().default(86_400),
  /** How often expired reservations are swept. */
  RESERVATION_SWEEP_MS: z.coerce.number().int().positive().default(30_000),
});

export type BillingConfig = z.infer<typeof billingConfigSchema>;
export const BILLING_CONFIG = Symbol('BILLING_CONFIG');
