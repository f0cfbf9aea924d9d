/**
 * SPEC §3, "Three consecutive platform failures of one user on one model" and
 * "detect a failure-rate spike on a model": what one platform failure tells
 * beyond its job. Facts in, decision out; `failure-signals.ts` reads the recent
 * jobs these rules judge and writes the events they decide.
 */

/** Failures that are the platform's (or its providers'), not the user's. */
export const platformFailureReasons = ['provider_5xx', 'timeout', 'crash', 'internal'] as const;

/** Platform failures in a row, of one user on one model, that suggest another model. */
export const FAILURE_STREAK = 3;

/** "Recent", for the success rate that picks the suggested model. */
export const SUCCESS_RATE_WINDOW_HOURS = 24;

/** A finished job as the streak sees it. */
export interface FinishedJob {
  status: string;
  failureReason: string | null;
}

export function isPlatformFailure(job: FinishedJob | undefined): boolean {
  return (
    job?.status === 'failed' &&
    (platformFailureReasons as readonly string[]).includes(job.failureReason ?? '')
  );
}

/**
 * Whether the latest finished jobs (newest first, at least `FAILURE_STREAK + 1`
 * when there are that many) end in exactly the streak: the third platform
 * failure in a row says it; a fourth does not say it again; a success starts over.
 */
export function streakJustReached(newestFirst: readonly FinishedJob[]): boolean {
  if (newestFirst.length < FAILURE_STREAK) {
    return false;
  }
  const run = newestFirst.slice(0, FAILURE_STREAK);
  return (
    run.every((job) => isPlatformFailure(job)) && !isPlatformFailure(newestFirst[FAILURE_STREAK])
  );
}

export interface SuccessCount {
  model: string;
  ok: number;
  total: number;
}

/**
 * The most stable alternative: of the other models offering the mode, the best
 * recent success rate; more finished jobs break ties; models with no recent jobs
 * come last, in catalog order.
 */
export function mostReliable<M extends { id: string }>(
  candidates: readonly M[],
  recent: readonly SuccessCount[],
): (M & { rate?: number }) | undefined {
  const ranked = candidates
    .map((model) => {
      const counts = recent.find((r) => r.model === model.id);
      return {
        model,
        rate: counts && counts.total > 0 ? counts.ok / counts.total : undefined,
        total: counts?.total ?? 0,
      };
    })
    .sort((a, b) => (b.rate ?? -1) - (a.rate ?? -1) || b.total - a.total);
  const best = ranked[0];
  return best && { ...best.model, ...(best.rate === undefined ? {} : { rate: best.rate }) };
}

export interface SpikeSettings {
  /** Fewer finished jobs than this in the window say nothing. */
  minJobs: number;
  /** The failed share, 0–1, from which operations hear of it. */
  rate: number;
}

export interface Spike {
  rate: number;
  percent: number;
  /** Critical from 80 % failed. */
  severity: 'warning' | 'critical';
}

/** Whether a model's platform failures over the sliding window are a spike to raise to operations. */
export function failureSpike(
  window: { failed: number; finished: number },
  settings: SpikeSettings,
): Spike | null {
  if (window.finished < settings.minJobs || window.finished === 0) {
    return null;
  }
  const rate = window.failed / window.finished;
  if (rate < settings.rate) {
    return null;
  }
  return { rate, percent: Math.round(rate * 100), severity: rate >= 0.8 ? 'critical' : 'warning' };
}
