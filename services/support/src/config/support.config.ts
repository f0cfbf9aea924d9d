import { serviceConfigSchema, z } from '@fluxnote/config';

const address = z.string().regex(/^[^\s:]+:\d+$/, 'must be host:port');

export const supportConfigSchema = serviceConfigSchema({
  /** Accounts' gRPC address (host:port): a SECURITY ticket freezes the account through it. */
  ACCOUNTS_GRPC_URL: address,
  /** Billing's (credit grants and refunds an agent gives). */
  BILLING_GRPC_URL: address,
  /** Generation's (job logs, approving a blocked prompt). */
  GENERATION_GRPC_URL: address,
  /** How often tickets waiting for a first response are checked against their targets. */
  SLA_WATCH_MS: z.coerce.number().int().min(1000).default(30_000),
});

export type SupportConfig = z.infer<typeof supportConfigSchema>;
export const SUPPORT_CONFIG = Symbol('SUPPORT_CONFIG');
