import { Inject, Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { failureStreakV1, generationAlertV1 } from '@fluxnote/contracts';
import { Clock } from '@fluxnote/clock';
import { Outbox } from '@fluxnote/messaging';
import { CatalogService } from '../catalog/catalog.service';
import { GENERATION_CONFIG, type GenerationConfig } from '../config/generation.config';
import type { JobEntity } from './job.entity';
import { failureSignalRows } from './failure-signals.repository';

import {
  FAILURE_STREAK,
  failureSpike,
  mostReliable,
  platformFailureReasons,
  streakJustReached,
  SUCCESS_RATE_WINDOW_HOURS,
} from './failure-signals.rules';

/**
 * What a platform failure tells beyond the one job (the rules are in
 * `failure-signals.rules.ts`), judged in the transaction that records it: a
 * user's third failure in a row on a model suggests the most reliable model of
 * the same mode; a model failing at a high rate over the sliding window raises
 * an operations alert (once per window).
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

  /** A streak just reached: the user hears of it, with the most reliable alternative. */
  private async detectStreak(manager: EntityManager, job: JobEntity): Promise<void> {
    const recent = await failureSignalRows.latestFinished(
      manager,
      job.userId,
      job.model,
      FAILURE_STREAK + 1,
    );
    if (!streakJustReached(recent)) {
      return;
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
      failures: FAILURE_STREAK,
      suggestedModel: suggestion.id,
      suggestedModelName: suggestion.name,
      ...(suggestion.rate === undefined ? {} : { suggestedSuccessRate: suggestion.rate }),
      guidePath: `/guides/choosing-a-model?mode=${encodeURIComponent(job.mode)}`,
    });
  }

  /** `mostReliable` over the other models offering the mode, by their recent success counts. */
  private async mostReliable(
    manager: EntityManager,
    mode: string,
    exclude: string,
  ): Promise<{ id: string; name: string; rate?: number } | undefined> {
    const candidates = this.catalog
      .models(null)
      .filter((m) => m.id !== exclude && (m.modes as string[]).includes(mode));
    const since = new Date(this.clock.now().getTime() - SUCCESS_RATE_WINDOW_HOURS * 3_600_000);
    const counts = await failureSignalRows.successCounts(
      manager,
      mode,
      candidates.map((m) => m.id),
      since,
    );
    return mostReliable(candidates, counts);
  }

  /** The model's failure share over the window; one alert per window per model. */
  private async detectSpike(manager: EntityManager, modelId: string): Promise<void> {
    const windowMs = this.config.FAILURE_SPIKE_WINDOW_MS;
    const since = new Date(this.clock.now().getTime() - windowMs);
    const stats = await failureSignalRows.finishedSince(
      manager,
      modelId,
      since,
      platformFailureReasons,
    );
    const spike = failureSpike(stats, {
      minJobs: this.config.FAILURE_SPIKE_MIN_JOBS,
      rate: this.config.FAILURE_SPIKE_RATE,
    });
    if (!spike) {
      return;
    }
    if (!(await failureSignalRows.claimAlert(manager, modelId, windowMs))) {
      return; // alerted within this window already
    }
    const minutes = Math.round(windowMs / 60_000);
    await this.outbox.add(manager, generationAlertV1, modelId, {
      kind: 'model_failure_spike',
      severity: spike.severity,
      summary: `${this.catalog.model(modelId)?.name ?? modelId}: ${spike.percent} % of jobs failed in the last ${minutes} minutes`,
      details: {
        model: modelId,
        failed: stats.failed,
        finished: stats.finished,
        windowMinutes: minutes,
      },
    });
  }
}
