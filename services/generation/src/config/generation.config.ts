import { isProduction, requireInProduction, serviceConfigSchema, z } from '@fluxnote/config';
import { defaultModels, findModel } from '../catalog/model-catalog';

/** A comma-separated list, blanks dropped. */
function commaList(value: string): string[] {
  return value
    .split(',')
    .map((item) => item.trim())
    .filter(Boolean);
}

/** Whether `model` is in the catalog; reports it on the setting if not. */
function inCatalog(model: string, ctx: z.RefinementCtx): boolean {
  if (findModel(defaultModels, model)) {
    return true;
  }
  ctx.addIssue({ code: 'custom', message: `"${model}" is not a model of the catalog` });
  return false;
}

export const generationConfigSchema = serviceConfigSchema({
  /** Billing's gRPC address (host:port). */
  BILLING_GRPC_URL: z.string().min(1),
  /** Accounts' gRPC address (host:port): asked before refusing on a role or status not heard yet. */
  ACCOUNTS_GRPC_URL: z.string().min(1),
  /**
   * Per-model limits on jobs running at once, over the catalog's (a provider's rate limit):
   * `model=limit` pairs separated by commas, e.g. `sora-2-pro=2,wan-2.6=20`.
   */
  MODEL_CONCURRENCY: z
    .string()
    .default('')
    .transform((value, ctx) => {
      const limits: Record<string, number> = {};
      for (const pair of commaList(value)) {
        const match = /^([a-z0-9.-]+)=([1-9][0-9]*)$/.exec(pair);
        if (!match) {
          ctx.addIssue({
            code: 'custom',
            message: `"${pair}" is not model=limit (a positive integer)`,
          });
          return z.NEVER;
        }
        if (!inCatalog(match[1], ctx)) {
          return z.NEVER;
        }
        limits[match[1]] = Number(match[2]);
      }
      return limits;
    }),
  /** A model provider's create / poll / cancel / webhook API (unset: every model on the simulator). */
  MODEL_PROVIDER_URL: z.string().url().optional(),
  MODEL_PROVIDER_API_KEY: z.string().min(1).optional(),
  /** The models that run on that provider, comma separated. */
  MODEL_PROVIDER_MODELS: z
    .string()
    .default('')
    .transform((value, ctx) => {
      const models = commaList(value);
      return models.every((model) => inCatalog(model, ctx)) ? models : z.NEVER;
    }),
  /** Signs the provider's webhook deliveries; unset: webhooks are refused and jobs poll. */
  MODEL_PROVIDER_WEBHOOK_SECRET: z.string().min(16).optional(),
  /** Where the provider delivers them: the gateway's `/v1/webhooks/model-provider`, public. */
  MODEL_PROVIDER_WEBHOOK_URL: z.string().url().optional(),
  /** First wait between polls of a task (doubling up to 10 s). */
  MODEL_PROVIDER_POLL_MS: z.coerce.number().int().positive().default(2_000),
  /** One HTTP call to the provider. */
  MODEL_PROVIDER_TIMEOUT_MS: z.coerce.number().int().positive().default(15_000),
  /** Jobs run at once by this process. */
  WORKER_CONCURRENCY: z.coerce.number().int().min(0).default(4),
  /** Attempts of one job across worker crashes before it fails. */
  JOB_MAX_ATTEMPTS: z.coerce.number().int().min(1).default(3),
  /** Provider retries inside one attempt for transient errors (5xx, timeout). */
  PROVIDER_RETRIES: z.coerce.number().int().min(0).default(2),
  PROVIDER_RETRY_BASE_MS: z.coerce.number().int().min(0).default(200),
  /** A processing job whose worker has not been heard from for this long is taken back. */
  WORKER_HEARTBEAT_TIMEOUT_MS: z.coerce.number().int().positive().default(30_000),
  /** How often the recovery pass runs (stale workers, watchdog, unsettled outcomes). */
  RECOVERY_INTERVAL_MS: z.coerce.number().int().positive().default(5_000),
  /** Latency of the built-in model simulator unless set per model. */
  SIMULATOR_DEFAULT_LATENCY_MS: z.coerce.number().int().min(0).default(1_500),
  /** A model whose finished jobs failed at least this share within the window raises an operations alert… */
  FAILURE_SPIKE_RATE: z.coerce.number().min(0).max(1).default(0.5),
  /** …once at least this many finished in it. */
  FAILURE_SPIKE_MIN_JOBS: z.coerce.number().int().min(1).default(20),
  /** The sliding window, and the quiet time after an alert before the next for the same model. */
  FAILURE_SPIKE_WINDOW_MS: z.coerce.number().int().positive().default(600_000),
}).superRefine((c, ctx) => {
  // The simulator is for embedded mode and tests: in production every model runs on a provider.
  requireInProduction(c, ctx, ['MODEL_PROVIDER_URL']);
  const simulated = defaultModels.filter((m) => !c.MODEL_PROVIDER_MODELS.includes(m.id));
  if (isProduction(c) && simulated.length > 0) {
    ctx.addIssue({
      code: 'custom',
      path: ['MODEL_PROVIDER_MODELS'],
      message: `must name every model when NODE_ENV=production (the simulator would run ${simulated.map((m) => m.id).join(', ')})`,
    });
  }
  if (c.MODEL_PROVIDER_URL && !c.MODEL_PROVIDER_API_KEY) {
    ctx.addIssue({
      code: 'custom',
      path: ['MODEL_PROVIDER_API_KEY'],
      message: 'is required with MODEL_PROVIDER_URL',
    });
  }
  if (c.MODEL_PROVIDER_URL && c.MODEL_PROVIDER_MODELS.length === 0) {
    ctx.addIssue({
      code: 'custom',
      path: ['MODEL_PROVIDER_MODELS'],
      message: 'names the models that run on MODEL_PROVIDER_URL',
    });
  }
  if (c.MODEL_PROVIDER_WEBHOOK_URL && !c.MODEL_PROVIDER_WEBHOOK_SECRET) {
    ctx.addIssue({
      code: 'custom',
      path: ['MODEL_PROVIDER_WEBHOOK_SECRET'],
      message: 'is required with MODEL_PROVIDER_WEBHOOK_URL (deliveries are signed)',
    });
  }
});

export type GenerationConfig = z.infer<typeof generationConfigSchema>;
export const GENERATION_CONFIG = Symbol('GENERATION_CONFIG');
