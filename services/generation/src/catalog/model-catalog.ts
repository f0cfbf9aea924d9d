/** Models and templates as data (SPEC §3 defaults). */
export const jobModes = ['text-to-video', 'image-to-video', 'text-to-image'] as const;
export type JobMode = (typeof jobModes)[number];

export interface ModelSpec {
  id: string;
  name: string;
  modes: JobMode[];
  /** Internal cost in credits per second of output (operational value, not the user's allowance). */
  internalCostPerSecond: number;
  maxDurationSec: number;
  defaultDurationSec: number;
  maxPromptLength: number;
  aspectRatios: string[];
  /** ISO country codes where the model is not offered. */
  unavailableIn: string[];
  /** A job still processing after this long is failed and refunded by the watchdog. */
  timeLimitSec: number;
  /** Jobs of this model running at once across every worker: the provider's rate limit. */
  maxConcurrentJobs: number;
}

const video = ['text-to-video', 'image-to-video'] as JobMode[];
const ratios = ['16:9', '9:16', '1:1'];

export const defaultModels: ModelSpec[] = [
  {
    id: 'sora-2-pro',
    name: 'Sora 2 Pro',
    modes: video,
    internalCostPerSecond: 12,
    maxDurationSec: 20,
    defaultDurationSec: 8,
    maxPromptLength: 2000,
    aspectRatios: ratios,
    unavailableIn: [],
    timeLimitSec: 600,
    maxConcurrentJobs: 4,
  },
  {
    id: 'veo-3.1',
    name: 'Veo 3.1',
    modes: video,
    internalCostPerSecond: 10,
    maxDurationSec: 8,
    defaultDurationSec: 8,
    maxPromptLength: 2000,
    aspectRatios: ['16:9', '9:16'],
    unavailableIn: [],
    timeLimitSec: 600,
    maxConcurrentJobs: 6,
  },
  {
    id: 'kling-3.0',
    name: 'Kling 3.0',
    modes: video,
    internalCostPerSecond: 6,
    maxDurationSec: 10,
    defaultDurationSec: 5,
    maxPromptLength: 2500,
    aspectRatios: ratios,
    unavailableIn: ['DE', 'FR', 'IT', 'NL'],
    timeLimitSec: 600,
    maxConcurrentJobs: 8,
  },
  {
    id: 'wan-2.6',
    name: 'Wan 2.6',
    modes: video,
    internalCostPerSecond: 2,
    maxDurationSec: 10,
    defaultDurationSec: 5,
    maxPromptLength: 1500,
    aspectRatios: ratios,
    unavailableIn: [],
    timeLimitSec: 600,
    maxConcurrentJobs: 16,
  },
  {
    id: 'runway-gen-4',
    name: 'Runway Gen-4',
    modes: video,
    internalCostPerSecond: 8,
    maxDurationSec: 10,
    defaultDurationSec: 5,
    maxPromptLength: 1000,
    aspectRatios: ratios,
    unavailableIn: [],
    timeLimitSec: 600,
    maxConcurrentJobs: 8,
  },
  {
    id: 'hailuo-2.3',
    name: 'Hailuo 2.3',
    modes: video,
    internalCostPerSecond: 4,
    maxDurationSec: 10,
    defaultDurationSec: 6,
    maxPromptLength: 2000,
    aspectRatios: ratios,
    unavailableIn: [],
    timeLimitSec: 600,
    maxConcurrentJobs: 8,
  },
  {
    id: 'pixverse-v6',
    name: 'PixVerse v6',
    modes: video,
    internalCostPerSecond: 3,
    maxDurationSec: 8,
    defaultDurationSec: 5,
    maxPromptLength: 2000,
    aspectRatios: ratios,
    unavailableIn: [],
    timeLimitSec: 600,
    maxConcurrentJobs: 8,
  },
  {
    id: 'flux-kontext-pro',
    name: 'FLUX Kontext Pro',
    modes: ['text-to-image'],
    internalCostPerSecond: 0,
    maxDurationSec: 0,
    defaultDurationSec: 0,
    maxPromptLength: 2000,
    aspectRatios: ['1:1', '16:9', '9:16', '4:3', '3:4'],
    unavailableIn: [],
    timeLimitSec: 120,
    maxConcurrentJobs: 32,
  },
];

/** Image credits per image and per face-identity use (SPEC §2 defaults). */
export const imageCreditPrices = { perImage: 10, faceIdentity: 50 } as const;

export function findModel(models: readonly ModelSpec[], id: string): ModelSpec | undefined {
  return models.find((m) => m.id === id);
}

/** How long a job of `model` may run before the watchdog fails it (10 minutes if unknown). */
export function timeLimitMs(model: string): number {
  return (findModel(defaultModels, model)?.timeLimitSec ?? 600) * 1000;
}
