import { serviceConfigSchema, z } from '@fluxnote/config';

const address = z.string().regex(/^[^\s:]+:\d+$/, 'must be host:port');

export const gatewayConfigSchema = serviceConfigSchema({
  PORT: z.coerce.number().int().min(0).max(65535).default(8080),
  HOST: z.string().default('127.0.0.1'),
  ACCOUNTS_GRPC_URL: address,
  /** Accounts' HTTP base URL, for its JWKS. */
  ACCOUNTS_HTTP_URL: z.string().url(),
  BILLING_GRPC_URL: address,
  GENERATION_GRPC_URL: address,
  NOTIFICATIONS_GRPC_URL: address,
  SUPPORT_GRPC_URL: address,
  JWT_ISSUER: z.string().default('https://accounts.fluxnote.internal'),
  JWT_AUDIENCE: z.string().default('fluxnote-api'),
  /** Proxies whose X-Forwarded-For is believed: comma-separated IPs, or "loopback". */
  TRUSTED_PROXIES: z.string().default(''),
  /**
   * Rate limits other than the defaults (`services/gateway/src/http/rate-limit-policy.ts`):
   * `name=points/seconds`, comma-separated, e.g. `signup-by-address=20/3600`.
   */
  RATE_LIMITS: z.string().optional(),
  /**
   * How often the services behind the gateway are probed (gRPC health, within the same time): from
   * a probe a service does not answer, the routes that call it answer 503 at once, until it does.
   */
  DOWNSTREAM_PROBE_MS: z.coerce.number().int().min(100).default(1000),
  /** How often ended sessions are pulled from accounts (their access tokens stop working within this). */
  REVOCATION_POLL_MS: z.coerce.number().int().min(50).default(1000),
  /**
   * Browser origins allowed to call the API (CORS), comma-separated, e.g.
   * `https://app.fluxnote.dev`. Unset: no cross-origin browser calls (mobile apps and servers
   * are not browsers and need none). `*` is refused: the API takes bearer tokens.
   */
  CORS_ORIGINS: z
    .string()
    .default('')
    .transform((value) =>
      value
        .split(',')
        .map((origin) => origin.trim())
        .filter(Boolean),
    )
    .pipe(
      z.array(
        z
          .string()
          .regex(/^https?:\/\/[^/\s*]+$/, 'each origin is scheme://host[:port], no path, no "*"'),
      ),
    ),
  /** Largest JSON body accepted. */
  BODY_LIMIT: z.string().default('256kb'),
  /**
   * The shared secret the mail provider sends (X-Inbound-Email-Secret) with each email to
   * support at POST /v1/support/inbound-email; unset turns that endpoint off.
   */
  INBOUND_EMAIL_SECRET: z.string().min(16, 'must be at least 16 characters').optional(),
});

export type GatewayConfig = z.infer<typeof gatewayConfigSchema>;
export const GATEWAY_CONFIG = Symbol('GATEWAY_CONFIG');
