import type { FailureReason } from '../jobs/job.entity';
import type { LikenessMedia } from '../likenesses/likenesses';

export interface ProviderRequest {
  jobId: string;
  model: string;
  mode: string;
  prompt: string;
  durationSec: number;
  aspectRatio: string;
  /** Prompts and outputs are never used for training: every provider call says so. */
  noTraining: true;
  /** What is left of the model's time limit for this job; past it the provider's work is cancelled. */
  timeLimitMs: number;
  /** The user's face identity photo (PuLID), when the job uses one. */
  faceIdentity?: LikenessMedia;
  /** The voiceover: a stock voice, or the user's own voice sample. */
  voiceover?: { voiceId: string } | { sample: LikenessMedia };
  /** Animated captions: karaoke, word-by-word or kinetic. */
  captions?: string;
  /** image-to-video: the still to animate (https). */
  inputImageUrl?: string;
}

export type ProviderResult =
  | { ok: true; outputUrl: string }
  | { ok: false; reason: FailureReason; transient: boolean; detail: string }
  /** The provider's own moderation withheld the output: not a platform failure, but refunded. */
  | { ok: false; reason: 'output_blocked'; transient: false; detail: string };

/** The port every model provider adapter implements. */
export abstract class ModelProvider {
  abstract readonly name: string;
  abstract run(request: ProviderRequest): Promise<ProviderResult>;
  /** The job ended without this provider's result (it failed, or timed out): stop its work. */
  abandon(_jobId: string): Promise<void> {
    return Promise.resolve();
  }
}
