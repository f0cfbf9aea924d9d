import { imageCreditPrices, jobModes, type JobMode, type ModelSpec } from './model-catalog';
import type { TemplateSpec } from './template-catalog';

export interface JobRequest {
  model: string;
  mode: string;
  prompt: string;
  durationSec?: number;
  aspectRatio?: string;
  /** The job uses one of the user's face identities (priced in image credits). */
  faceIdentity?: boolean;
  /** The voiceover uses one of the user's voice clones. */
  voiceClone?: boolean;
  /** The voiceover uses a stock voice (ElevenLabs voice id). */
  voiceId?: string;
  captions?: string;
  /** image-to-video: the still to animate (https). */
  imageUrl?: string;
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

export const captionStyles = ['karaoke', 'word-by-word', 'kinetic'] as const;

function isHttpsUrl(value: string): boolean {
  try {
    return value.length <= 2000 && new URL(value).protocol === 'https:';
  } catch {
    return false;
  }
}

/**
 * Checks a job's creative options against its mode and template: a still image has no
 * voiceover or captions, a faceless template takes no face identity, one voice at a time.
 * Captions default to the template's style.
 */
export function evaluateJobOptions(
  request: JobRequest,
  mode: JobMode,
  template: TemplateSpec | undefined,
): { ok: true; captions: string | null } | { ok: false; refusal: Refusal } {
  const invalid = (field: string, detail: string) =>
    ({ ok: false, refusal: { kind: 'invalid', field, detail } }) as const;
  if (request.voiceId !== undefined && !/^[A-Za-z0-9]{1,64}$/.test(request.voiceId)) {
    return invalid('options.voiceId', 'A voice id is 1 to 64 letters and digits.');
  }
  if (request.voiceId !== undefined && request.voiceClone) {
    return invalid('options.voiceId', 'Choose one voice: a voice id or a voice clone, not both.');
  }
  if (
    request.captions !== undefined &&
    !(captionStyles as readonly string[]).includes(request.captions)
  ) {
    return invalid('options.captions', `Captions are one of ${captionStyles.join(', ')}.`);
  }
  if (mode === 'image-to-video' && request.imageUrl === undefined) {
    return invalid(
      'options.imageUrl',
      'An image-to-video job animates an image: give its https URL in options.imageUrl.',
    );
  }
  if (mode !== 'image-to-video' && request.imageUrl !== undefined) {
    return invalid('options.imageUrl', `A ${mode} job takes no input image.`);
  }
  if (request.imageUrl !== undefined && !isHttpsUrl(request.imageUrl)) {
    return invalid('options.imageUrl', 'options.imageUrl must be an https URL.');
  }
  if (mode === 'text-to-image') {
    if (request.voiceId !== undefined || request.voiceClone || request.captions !== undefined) {
      return invalid(
        request.captions !== undefined ? 'options.captions' : 'options.voiceover',
        'A text-to-image job makes a still image: it has no voiceover or captions.',
      );
    }
    return { ok: true, captions: null };
  }
  if (request.faceIdentity && template && !template.face) {
    return invalid(
      'options.faceIdentity',
      `The ${template.name} template shows no face; leave out the face identity or choose another template.`,
    );
  }
  return {
    ok: true,
    captions: request.captions ?? template?.captionStyle?.toLowerCase() ?? null,
  };
}
