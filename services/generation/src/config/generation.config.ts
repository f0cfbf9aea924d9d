import { serviceConfigSchema, z } from '@fluxnote/config';

export const generationConfigSchema = serviceConfigSchema({
  /** Billing's gRPC address (host:port). */
  BILLING_GRPC_URL: z.string().min(1),
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
});

export type GenerationConfig = z.infer<typeof generationConfigSchema>;
export const GENERATION_CONFIG = Symbol('GENERATION_CONFIG');
