import { z } from 'zod';
import { defineEvent, topics } from './event-definition';
import { operationsAlertSchema } from './purge.events';

const jobRef = {
  jobId: z.string().uuid(),
  userId: z.string().uuid(),
  model: z.string(),
  mode: z.string(),
};

export const jobQueuedV1 = defineEvent(
  'generation.job.queued.v1',
  topics.generation,
  z.object(jobRef),
);

export const jobSucceededV1 = defineEvent(
  'generation.job.succeeded.v1',
  topics.generation,
  z.object({ ...jobRef, outputUrl: z.string() }),
);

/**
 * A job was blocked. `prompt` (the default): the content-safety check refused the prompt and
 * nothing was reserved; support can approve it on appeal. `output`: the provider's moderation
 * withheld the result, and the job's credits were given back (`refunded`).
 */
export const jobBlockedV1 = defineEvent(
  'generation.job.blocked.v1',
  topics.generation,
  z.object({
    ...jobRef,
    rule: z.string(),
    explanation: z.string(),
    stage: z.enum(['prompt', 'output']).optional(),
    refunded: z
      .object({
        videoCredits: z.number().int().min(0),
        imageCredits: z.number().int().min(0),
      })
      .optional(),
  }),
);

export const jobFailedV1 = defineEvent(
  'generation.job.failed.v1',
  topics.generation,
  z.object({
    ...jobRef,
    reason: z.string(),
    /** Credits given back for the failed job. */
    refunded: z.object({
      videoCredits: z.number().int().min(0),
      imageCredits: z.number().int().min(0),
    }),
  }),
);

/** Users named per incident event: a larger incident is published in parts. */
export const INCIDENT_USERS_PER_EVENT = 1000;

/**
 * Operations declared an incident on a model: every user who used it in the 48
 * hours before (by the platform clock), in parts of at most
 * INCIDENT_USERS_PER_EVENT, each part carrying the whole message.
 */
export const incidentDeclaredV1 = defineEvent(
  'generation.incident.declared.v1',
  topics.generation,
  z.object({
    incidentId: z.string().uuid(),
    model: z.string(),
    modelName: z.string(),
    message: z.string(),
    /** When operations expect it fixed (ISO 8601). */
    eta: z.string().optional(),
    /** A model of the same mode to use meanwhile. */
    alternative: z.string().optional(),
    declaredAt: z.string(),
    userIds: z.array(z.string().uuid()).max(INCIDENT_USERS_PER_EVENT),
    part: z.number().int().min(1),
    parts: z.number().int().min(1),
  }),
);

/**
 * Three platform failures in a row for one user on one model: the model of the
 * same mode that has been most reliable lately, and where the guide is.
 */
export const failureStreakV1 = defineEvent(
  'generation.failure_streak.detected.v1',
  topics.generation,
  z.object({
    userId: z.string().uuid(),
    model: z.string(),
    modelName: z.string(),
    mode: z.string(),
    failures: z.number().int().min(1),
    suggestedModel: z.string(),
    suggestedModelName: z.string(),
    /** Share of the suggested model's jobs that finished lately (0–1); absent without recent jobs. */
    suggestedSuccessRate: z.number().min(0).max(1).optional(),
    guidePath: z.string(),
  }),
);

/** A model's failure rate spiked over the sliding window (admins hear it from notifications). */
export const generationAlertV1 = defineEvent(
  'generation.operations.alert.v1',
  topics.generation,
  operationsAlertSchema,
);
