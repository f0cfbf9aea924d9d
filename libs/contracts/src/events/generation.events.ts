import { z } from 'zod';
import { defineEvent, topics } from './event-definition';

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
