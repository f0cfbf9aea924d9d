import { imageCreditPrices, jobModes, type JobMode, type ModelSpec } from './model-catalog';

export interface JobRequest {
  model: string;
  mode: string;
  prompt: string;
  durationSec?: number;
  aspectRatio?: string;
  faceIdentity?: boolean;
  template?: string;
  /** The caller's country, or null when unknown. */
  country: string | null;
}

export interface Quote {
  videoCredits: number;
  imageCredits: number;
  /** Internal cost: credits per second × seconds (images: 0). */
  internalCost: number;
  durationSec: number;
  aspectRatio: string;
}

export type Refusal =
  | { kind: 'invalid'; detail: string; field: string }
  | { kind: 'region'; detail: string; alternatives: string[] }
  | { kind: 'limit'; detail: string; field: string; limit: number };

/**
 * Checks a job request against the catalog before anything is reserved, and
 * prices it: one video credit per video job whatever its length; image credits
 * per image and per face-identity use.
 */
export function evaluateJobRequest(
  models: readonly ModelSpec[],
  request: JobRequest,
): { ok: true; model: ModelSpec; mode: JobMode; quote: Quote } | { ok: false; refusal: Refusal } {
  const model = models.find((m) => m.id === request.model);
  if (!model) {
    return {
      ok: false,
      refusal: { kind: 'invalid', field: 'model', detail: `Unknown model "${request.model}".` },
    };
  }
  if (!(jobModes as readonly string[]).includes(request.mode)) {
    return {
      ok: false,
      refusal: {
        kind: 'invalid',
        field: 'mode',
        detail: `Unknown mode "${request.mode}"; use one of ${jobModes.join(', ')}.`,
      },
    };
  }
  const mode = request.mode as JobMode;
  if (!model.modes.includes(mode)) {
    return {
      ok: false,
      refusal: {
        kind: 'invalid',
        field: 'mode',
        detail: `${model.name} does not do ${mode}; it does ${model.modes.join(', ')}.`,
      },
    };
  }
  if (request.country && model.unavailableIn.includes(request.country)) {
    const alternatives = models
      .filter(
        (m) =>
          m.id !== model.id &&
          m.modes.includes(mode) &&
          !m.unavailableIn.includes(request.country!),
      )
      .map((m) => m.id);
    return {
      ok: false,
      refusal: {
        kind: 'region',
        detail: `${model.name} is not offered in your country (${request.country}).`,
        alternatives,
      },
    };
  }
  const prompt = request.prompt.trim();
  if (prompt.length === 0) {
    return {
      ok: false,
      refusal: { kind: 'invalid', field: 'prompt', detail: 'The prompt is empty.' },
    };
  }
  if (prompt.length > model.maxPromptLength) {
    return {
      ok: false,
      refusal: {
        kind: 'limit',
        field: 'prompt',
        limit: model.maxPromptLength,
        detail: `${model.name} takes prompts of at most ${model.maxPromptLength} characters; this one has ${prompt.length}.`,
      },
    };
  }
  const isVideo = mode !== 'text-to-image';
  const durationSec = isVideo ? (request.durationSec ?? model.defaultDurationSec) : 0;
  if (isVideo && (!Number.isInteger(durationSec) || durationSec < 1)) {
    return {
      ok: false,
      refusal: {
        kind: 'invalid',
        field: 'durationSec',
        detail: 'durationSec must be a whole number of seconds, at least 1.',
      },
    };
  }
  if (isVideo && durationSec > model.maxDurationSec) {
    return {
      ok: false,
      refusal: {
        kind: 'limit',
        field: 'durationSec',
        limit: model.maxDurationSec,
        detail: `${model.name} makes videos of at most ${model.maxDurationSec} seconds.`,
      },
    };
  }
  const aspectRatio = request.aspectRatio ?? model.aspectRatios[0];
  if (!model.aspectRatios.includes(aspectRatio)) {
    return {
      ok: false,
      refusal: {
        kind: 'invalid',
        field: 'aspectRatio',
        detail: `${model.name} supports aspect ratios ${model.aspectRatios.join(', ')}.`,
      },
    };
  }
  const imageCredits =
    (isVideo ? 0 : imageCreditPrices.perImage) +
    (request.faceIdentity ? imageCreditPrices.faceIdentity : 0);
  return {
    ok: true,
    model,
    mode,
    quote: {
      videoCredits: isVideo ? 1 : 0,
      imageCredits,
      internalCost: model.internalCostPerSecond * durationSec,
      durationSec,
      aspectRatio,
    },
  };
}
