import { Inject, Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { failureStreakV1, generationAlertV1 } from '@fluxnote/contracts';
import { Clock } from '@fluxnote/clock';
import { Outbox } from '@fluxnote/messaging';
import { CatalogService } from '../catalog/catalog.service';
import { GENERATION_CONFIG, type GenerationConfig } from '../config/generation.config';
import type { JobEntity } from './job.entity';

/** Failures that are the platform's (or its providers'), not the user's. */
const platformReasons = ['provider_5xx', 'timeout', 'crash', 'internal'];
const STREAK = 3;
/** "Lately", for the success rate that picks the suggested model. */
const SUCCESS_RATE_WINDOW = '24 hours';

/**
 * What a platform failure tells beyond the one job, judged in the transaction
 * that records it: a user's third failure in a row on a model suggests the
 * most reliable model of the same mode; a model failing at a high rate over the
 * sliding window raises an operations alert (once per window).
 */
@Injectable()
export class FailureSignals {
  constructor(
    private readonly catalog: CatalogService,
    private readonly outbox: Outbox,
    @Inject(GENERATION_CONFIG) private readonly config: GenerationConfig,
    private readonly clock: Clock,
  ) {}

  async afterFailure(manager: EntityManager, job: JobEntity): Promise<void> {
    await this.detectStreak(manager, job);
    await this.detectSpike(manager, job.model);
  }

  /** Exactly the third platform failure in a row (a longer run says it once; a success starts over). */
  private async detectStreak(manager: EntityManager, job: JobEntity): Promise<void> {
    const recent = await manager.query<{ status: string; failure_reason: string | null }[]>(
      `SELECT status, failure_reason FROM generation.jobs
        WHERE user_id = $1 AND model = $2 AND status IN ('succeeded', 'failed')
        ORDER BY updated_at DESC, id DESC LIMIT ${STREAK + 1}`,
      [job.userId, job.model],
    );
    const platformFailure = (r?: { status: string; failure_reason: string | null }) =>
      r?.status === 'failed' && platformReasons.includes(r.failure_reason ?? '');
    if (recent.length < STREAK || !recent.slice(0, STREAK).every((r) => platformFailure(r))) {
      return;
    }
    if (platformFailure(recent[STREAK])) {
      return; // already said at the third
    }
    const model = this.catalog.model(job.model);
    const suggestion = await this.mostReliable(manager, job.mode, job.model);
    if (!model || !suggestion) {
      return;
    }
    await this.outbox.add(manager, failureStreakV1, job.userId, {
      userId: job.userId,
      model: model.id,
      modelName: model.name,
      mode: job.mode,
      failures: STREAK,
      suggestedModel: suggestion.id,
      suggestedModelName: suggestion.name,
      ...(suggestion.rate === undefined ? {} : { suggestedSuccessRate: suggestion.rate }),
      guidePath: `/guides/choosing-a-model?mode=${encodeURIComponent(job.mode)}`,
    });
  }

  /** Of the other models offering the mode: the best recent success rate (more jobs break ties); unknown ones last. */
  private async mostReliable(
    manager: EntityManager,
    mode: string,
    exclude: string,
  ): Promise<{ id: string; name: string; rate?: number } | undefined> {
    const candidates = this.catalog
      .models(null)
      .filter((m) => m.id !== exclude && (m.modes as string[]).includes(mode));
    const rates = await manager.query<{ model: string; ok: number; total: number }[]>(
      `SELECT model, count(*) FILTER (WHERE status = 'succeeded')::int AS ok, count(*)::int AS total
         FROM generation.jobs
        WHERE mode = $1 AND model = ANY($2) AND status IN ('succeeded', 'failed')
          AND updated_at > $3::timestamptz - interval '${SUCCESS_RATE_WINDOW}'
        GROUP BY model`,
      [mode, candidates.map((m) => m.id), this.clock.now()],
    );
    const ranked = candidates
      .map((m) => {
        const r = rates.find((x) => x.model === m.id);
        return {
          id: m.id,
          name: m.name,
          rate: r ? r.ok / r.total : undefined,
          total: r?.total ?? 0,
        };
      })
      .sort((a, b) => (b.rate ?? -1) - (a.rate ?? -1) || b.total - a.total);
    return ranked[0];
  }

  /** The model's failure share over the window; one alert per window per model. */
  private async detectSpike(manager: EntityManager, modelId: string): Promise<void> {
    const windowMs = this.config.FAILURE_SPIKE_WINDOW_MS;
    const [stats] = await manager.query<{ failed: number; total: number }[]>(
      `SELECT count(*) FILTER (WHERE status = 'failed' AND failure_reason = ANY($3))::int AS failed,
              count(*)::int AS total
         FROM generation.jobs
        WHERE model = $1 AND status IN ('succeeded', 'failed')
          AND updated_at > $4::timestamptz - $2 * interval '1 millisecond'`,
      [modelId, windowMs, platformReasons, this.clock.now()],
    );
    if (stats.total < this.config.FAILURE_SPIKE_MIN_JOBS) {
      return;
    }
    const rate = stats.failed / stats.total;
    if (rate < this.config.FAILURE_SPIKE_RATE) {
      return;
    }
    const claimed = await manager.query<unknown[]>(
      `INSERT INTO generation.model_alerts (model, alerted_at) VALUES ($1, now())
       ON CONFLICT (model) DO UPDATE SET alerted_at = now()
         WHERE generation.model_alerts.alerted_at <= now() - $2 * interval '1 millisecond'
       RETURNING model`,
      [modelId, windowMs],
    );
    if (claimed.length === 0) {
      return; // alerted within this window already
    }
    const percent = Math.round(rate * 100);
    const minutes = Math.round(windowMs / 60_000);
    await this.outbox.add(manager, generationAlertV1, modelId, {
      kind: 'model_failure_spike',
      severity: rate >= 0.8 ? 'critical' : 'warning',
      summary: `${this.catalog.model(modelId)?.name ?? modelId}: ${percent} % of jobs failed in the last ${minutes} minutes`,
      details: {
        model: modelId,
        failed: stats.failed,
        finished: stats.total,
        windowMinutes: minutes,
      },
    });
  }
}
