import { serviceConfigSchema, z } from '@fluxnote/config';

export const accountsConfigSchema = serviceConfigSchema(
  {
    /** The first admin, created at start if missing. */
    ADMIN_EMAIL: z.string().email().optional(),
    ADMIN_PASSWORD: z.string().min(12, 'must be at least 12 characters').optional(),
    /** PKCS#8 PEM of the ES256 signing key (secret). Embedded mode generates and keeps one. */
    JWT_PRIVATE_KEY: z.string().optional(),
    /**
     * Notifications' sealing key, public half (SPKI PEM): log-in codes and one-time link tokens
     * travel in events sealed to it, so only notifications can read them. `npm start` makes the
     * pair and keeps it in the data folder.
     */
    NOTIFICATIONS_SEALING_PUBLIC_KEY: z
      .string()
      .includes('BEGIN PUBLIC KEY', { message: 'must be an SPKI PEM public key' }),
    /**
     * Limits on emailed log-in codes other than the defaults
     * (`services/accounts/src/security/code-send-policy.ts`): `name=points/seconds`, comma-separated.
     */
    LOGIN_CODE_RATE_LIMITS: z.string().optional(),
    JWT_ISSUER: z.string().default('https://accounts.fluxnote.internal'),
    JWT_AUDIENCE: z.string().default('fluxnote-api'),
    ACCESS_TOKEN_TTL_SECONDS: z.coerce.number().int().positive().default(900),
    REFRESH_TOKEN_TTL_DAYS: z.coerce.number().int().positive().default(30),
    /** argon2id cost (OWASP minimum: 19 MiB, 2 passes, 1 lane). */
    ARGON2_MEMORY_KIB: z.coerce.number().int().min(8192).default(19_456),
    ARGON2_TIME_COST: z.coerce.number().int().min(1).default(2),
    /** Google sign-in: the OAuth client ids (web, iOS, Android) whose ID tokens we accept; unset turns it off. */
    GOOGLE_CLIENT_IDS: z.string().optional(),
    GOOGLE_ISSUERS: z.string().min(1).default('https://accounts.google.com,accounts.google.com'),
    GOOGLE_JWKS_URL: z.string().url().default('https://www.googleapis.com/oauth2/v3/certs'),
  },
  ['JWT_PRIVATE_KEY'],
);

export type AccountsConfig = z.infer<typeof accountsConfigSchema>;
export const ACCOUNTS_CONFIG = Symbol('ACCOUNTS_CONFIG');
