import { Inject, Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { Clock } from '@fluxnote/clock';
import { defaultModels } from '../catalog/model-catalog';
import { GENERATION_CONFIG, type GenerationConfig } from '../config/generation.config';
import type { JobEntity } from './job.entity';
import { GenerationMetrics } from './generation-metrics';
import { queueRows, type ModelLimits } from './queue.repository';
import { jobRows } from './jobs.repository';

/**
 * The durable queue the workers share. A claim takes the job `nextClaim` of `queue.rules.ts`
 * names (`queueRows.head` in queue.repository.ts). `SKIP LOCKED` lets many workers claim at
 * once, each job going to exactly one; the model's limit is checked again under a per-model
 * lock, so racing claims never exceed it.
 */
@Injectable()
export class JobQueue {
  private readonly modelLimits: ModelLimits;
  private readonly metrics = new GenerationMetrics();

  constructor(
    private readonly dataSource: DataSource,
    private readonly clock: Clock,
    @Inject(GENERATION_CONFIG) config: Pick<GenerationConfig, 'MODEL_CONCURRENCY'>,
  ) {
    this.modelLimits = {
      models: defaultModels.map((m) => m.id),
      limits: defaultModels.map((m) => config.MODEL_CONCURRENCY[m.id] ?? m.maxConcurrentJobs),
    };
  }

  /** The running limit of `model`. */
  limitOf(model: string): number {
    const index = this.modelLimits.models.indexOf(model);
    return index < 0 ? 1 : this.modelLimits.limits[index];
  }

  async claimNext(): Promise<JobEntity | undefined> {
    // A claim that lost a model's last free slot to another worker looks again (that model
    // now counts as full) rather than answering "nothing queued", which would idle a worker
    // with other work waiting.
    for (let round = 0; round < 3; round++) {
      const claim = await this.tryClaim();
      if (claim !== 'raced') {
        if (!claim) {
          return undefined;
        }
        // It exists: claimed a moment ago, and a job is deleted only once finished.
        const job = (await jobRows.job(this.dataSource, claim.id))!;
        // Its wait in the queue: once, when a worker first takes it (a retry after a crash is not
        // a second wait).
        if (job.attempts === 1 && job.startedAt) {
          this.metrics.claimed(
            job.lane,
            (job.startedAt.getTime() - job.createdAt.getTime()) / 1000,
          );
        }
        return job;
      }
    }
    return undefined;
  }

  /** The claimed job's id; undefined when nothing is claimable; `raced` when the model filled meanwhile. */
  private tryClaim(): Promise<{ id: string } | 'raced' | undefined> {
    return this.dataSource.transaction(async (manager) => {
      const job = await queueRows.head(manager, this.modelLimits);
      if (!job) {
        return undefined;
      }
      // Claims of one model queue here; a claim that lost the race for the last slot
      // leaves its job queued for when a slot frees.
      await queueRows.lockModel(manager, job.model);
      const started = await queueRows.start(
        manager,
        job,
        this.limitOf(job.model),
        this.clock.now(),
      );
      return started ? { id: job.id } : 'raced';
    });
  }
}
