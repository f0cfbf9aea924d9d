import { serviceConfigSchema, z } from '@fluxnote/config';

export const notificationsConfigSchema = serviceConfigSchema(
  {
    /** Accounts' gRPC address (host:port): asked where to write to a user whose registration has not arrived. */
    ACCOUNTS_GRPC_URL: z.string().min(1),
    /**
     * The sealing key, private half (PKCS#8 PEM, secret): opens the log-in codes and link tokens
     * accounts seals into its events for this service alone. `npm start` makes the pair and keeps
     * it in the data folder; accounts holds the public half.
     */
    SEALING_PRIVATE_KEY: z
      .string()
      .includes('BEGIN PRIVATE KEY', { message: 'must be a PKCS#8 PEM private key' }),
    /** The previous private key while a rotation settles: events sealed to it still open (secret). */
    SEALING_PREVIOUS_PRIVATE_KEY: z
      .string()
      .includes('BEGIN PRIVATE KEY', { message: 'must be a PKCS#8 PEM private key' })
      .optional(),
    /** Outgoing mail server, e.g. `smtps://user:pass@smtp.example.com:465` (secret). Unset: `.eml` files in DATA_DIR/mail. */
    SMTP_URL: z.string().url().optional(),
    /** FCM-style push provider, e.g. `https://fcm.googleapis.com/v1/projects/<project>`. Unset: pushes are logged. */
    PUSH_URL: z.string().url().optional(),
    /** Bearer key for the push provider (secret). */
    PUSH_API_KEY: z.string().min(1).optional(),
    /** How often due deliveries are looked for. */
    DELIVERY_POLL_MS: z.coerce.number().int().positive().default(1000),
    /** Attempts per delivery before it is dead-lettered. */
    DELIVERY_MAX_ATTEMPTS: z.coerce.number().int().min(1).default(6),
    /** First retry delay; each next one doubles (capped at an hour). */
    DELIVERY_RETRY_BASE_MS: z.coerce.number().int().positive().default(30_000),
    /** A claimed delivery whose sender died is tried again after this long. */
    DELIVERY_LEASE_MS: z.coerce.number().int().positive().default(120_000),
  },
  ['SMTP_URL', 'PUSH_URL', 'PUSH_API_KEY'],
).superRefine((c, ctx) => {
  if (c.PUSH_URL && !c.PUSH_API_KEY) {
    ctx.addIssue({ code: 'custom', path: ['PUSH_API_KEY'], message: 'is required with PUSH_URL' });
  }
});

export type NotificationsConfig = z.infer<typeof notificationsConfigSchema>;
export const NOTIFICATIONS_CONFIG = Symbol('NOTIFICATIONS_CONFIG');
