import { generationV1 } from '@fluxnote/contracts';
import type { JobRequest } from '../catalog/job-request-rules';
import type { JobEntity } from './job.entity';
import { laneName } from './queue.rules';

/** A job as gRPC answers it, from its row (the one mapper of a job). */
export function toJob(job: JobEntity): generationV1.Job {
  return {
    id: job.id,
    userId: job.userId,
    status: job.status === 'reserving' ? 'queued' : job.status,
    model: job.model,
    mode: job.mode,
    prompt: job.prompt,
    createdAt: job.createdAt.toISOString(),
    updatedAt: job.updatedAt.toISOString(),
    reserved: { video: job.videoCredits, image: job.imageCredits },
    durationSec: job.durationSec || undefined,
    aspectRatio: job.aspectRatio,
    projectId: job.projectId ?? undefined,
    lane: laneName(job.lane),
    options: jobOptions(job),
    failure: job.failureReason
      ? { reason: job.failureReason, refunded: job.refunded, detail: job.failureDetail ?? '' }
      : undefined,
    output: job.outputUrl ? { url: job.outputUrl } : undefined,
  };
}

function jobOptions(job: JobEntity): generationV1.JobOptions | undefined {
  const options = {
    voiceCloneId: job.voiceCloneId ?? undefined,
    voiceId: job.voiceId ?? undefined,
    faceIdentityId: job.faceIdentityId ?? undefined,
    captions: job.captions ?? undefined,
    imageUrl: job.inputImageUrl ?? undefined,
  };
  return Object.values(options).some((v) => v !== undefined) ? options : undefined;
}

/** What a submit and a quote both ask of the catalog. */
export function jobRequest(request: generationV1.SubmitJobRequest): JobRequest {
  const options = request.options ?? {};
  return {
    model: request.model,
    mode: request.mode,
    prompt: request.prompt,
    durationSec: request.durationSec,
    aspectRatio: request.aspectRatio,
    template: request.template,
    faceIdentity: Boolean(options.faceIdentityId),
    voiceClone: Boolean(options.voiceCloneId),
    voiceId: options.voiceId,
    captions: options.captions,
    imageUrl: options.imageUrl,
    country: request.country || null,
  };
}
