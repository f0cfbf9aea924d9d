import { z } from 'zod';

const port = z.coerce.number().int().min(0).max(65535);
const optionalUrl = z.string().url().optional();

/** Settings every service shares. Service schemas extend this one. */
export const baseConfigShape = {
  NODE_ENV: z.enum(['development', 'test', 'production']).default('development'),
  DATA_DIR: z.string().min(1).default('./var'),
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, 'must be a postgres:// URL')
    .optional(),
  /**
   * Apply the service's migrations at start (`false` where its database role may only read and
   * write rows, and a migration Job applies them: the chart).
   */
  MIGRATIONS_AT_START: z
    .enum(['true', 'false'])
    .default('true')
    .transform((v) => v === 'true'),
  /** `main.js migrate` only: the role the running service connects as, granted row access only. */
  DATABASE_APP_ROLE: z
    .string()
    .regex(/^[a-z_][a-z0-9_]{0,62}$/, 'must be a plain role name')
    .optional(),
  KAFKA_BROKERS: z.string().min(1).optional(),
  KAFKA_CLIENT_ID: z.string().default('fluxnote'),
  /** TLS to the brokers (managed clusters). */
  KAFKA_SSL: z
    .enum(['true', 'false'])
    .default('false')
    .transform((v) => v === 'true'),
  /** SASL mechanism; when set, KAFKA_SASL_USERNAME and KAFKA_SASL_PASSWORD are required. */
  KAFKA_SASL_MECHANISM: z.enum(['plain', 'scram-sha-256', 'scram-sha-512']).optional(),
  KAFKA_SASL_USERNAME: z.string().min(1).optional(),
  KAFKA_SASL_PASSWORD: z.string().min(1).optional(),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /** Port for /healthz, /readyz and /metrics (0 = any free port). */
  HTTP_PORT: port.default(0),
  HTTP_HOST: z.string().default('127.0.0.1'),
  /** gRPC listen address host and port (0 = any free port). */
  GRPC_HOST: z.string().default('127.0.0.1'),
  GRPC_PORT: port.default(0),
  /** Deadline applied to every outgoing gRPC call unless a call sets its own. */
  GRPC_DEADLINE_MS: z.coerce.number().int().positive().default(5000),
  OTEL_EXPORTER_OTLP_ENDPOINT: optionalUrl,
  /**
   * On SIGTERM, how long in-flight requests, calls, streams and event batches get to finish
   * before the rest is cut (the chart's terminationGracePeriodSeconds leaves room for it).
   */
  SHUTDOWN_GRACE_MS: z.coerce.number().int().min(0).max(600_000).default(20_000),
} as const;

export const baseConfigSchema = z.object(baseConfigShape);
export type BaseConfig = z.infer<typeof baseConfigSchema>;

export function isProduction(config: Pick<BaseConfig, 'NODE_ENV'>): boolean {
  return config.NODE_ENV === 'production';
}

/**
 * Production needs the external settings that embedded mode supplies itself.
 * Use inside a schema's `superRefine`.
 */
export function requireInProduction(
  config: Record<string, unknown> & Pick<BaseConfig, 'NODE_ENV'>,
  ctx: z.RefinementCtx,
  keys: readonly string[],
): void {
  if (!isProduction(config)) {
    return;
  }
  for (const key of keys) {
    if (config[key] === undefined || config[key] === '') {
      ctx.addIssue({
        code: 'custom',
        path: [key],
        message: 'is required when NODE_ENV=production',
      });
    }
  }
}

/**
 * A service's schema: the shared settings plus its own. `DATABASE_URL` is always
 * required (the launcher supplies the embedded one); `KAFKA_BROKERS` and the keys
 * listed are required in production.
 */
export function serviceConfigSchema<T extends z.ZodRawShape>(
  shape: T,
  productionKeys: readonly string[] = [],
) {
  return z
    .object({
      ...baseConfigShape,
      DATABASE_URL: z.string().regex(/^postgres(ql)?:\/\//, 'must be a postgres:// URL'),
      ...shape,
    })
    .superRefine((parsed, ctx) => {
      const c = parsed as Record<string, unknown> & Pick<BaseConfig, 'NODE_ENV'>;
      requireInProduction(c, ctx, ['KAFKA_BROKERS', ...productionKeys]);
      if (c['KAFKA_SASL_MECHANISM'] !== undefined) {
        for (const key of ['KAFKA_SASL_USERNAME', 'KAFKA_SASL_PASSWORD'] as const) {
          if (c[key] === undefined) {
            ctx.addIssue({
              code: 'custom',
              path: [key],
              message: 'is required with KAFKA_SASL_MECHANISM',
            });
          }
        }
      }
    });
}

/** How to reach a managed Kafka cluster: TLS, and SASL credentials (from a secret). */
export interface KafkaSecurity {
  ssl: boolean;
  sasl?: {
    mechanism: NonNullable<BaseConfig['KAFKA_SASL_MECHANISM']>;
    username: string;
    password: string;
  };
}

/** The Kafka security options from the validated settings. */
export function kafkaSecurity(config: BaseConfig): KafkaSecurity {
  const {
    KAFKA_SASL_MECHANISM: mechanism,
    KAFKA_SASL_USERNAME: username,
    KAFKA_SASL_PASSWORD: password,
  } = config;
  return {
    ssl: config.KAFKA_SSL,
    ...(mechanism && username && password ? { sasl: { mechanism, username, password } } : {}),
  };
}
