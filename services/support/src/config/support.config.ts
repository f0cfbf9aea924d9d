import { serviceConfigSchema, z } from '@fluxnote/config';

export const supportConfigSchema = serviceConfigSchema({
  /** Accounts' gRPC address (host:port): a SECURITY ticket freezes the account through it. */
  ACCOUNTS_GRPC_URL: z.string().regex(/^[^\s:]+:\d+$/, 'must be host:port'),
});

export type SupportConfig = z.infer<typeof supportConfigSchema>;
export const SUPPORT_CONFIG = Symbol('SUPPORT_CONFIG');
