import { Inject, Injectable, Logger, type OnModuleDestroy } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { isUuid, ProblemError } from '@fluxnote/contracts';
import { NotifyWaiter } from '@fluxnote/persistence';
import { GENERATION_CONFIG, type GenerationConfig } from '../config/generation.config';
import { jobEventRows, type JobEvent } from './job-events.repository';

export type { JobEvent } from './job-events.repository';

/**
 * The NOTIFY channel that wakes the owner's streams (the user id as payload): sent by the
 * job-events trigger, and by the submit after its commit for a job it queued.
 */
export const JOB_EVENTS_CHANNEL = 'generation_job_events';

/**
 * The owner's live job statuses, for the gateway's status stream: every status
 * their jobs took after a number (from `generation.job_events`, written by a
 * trigger), at once or as soon as one changes. One job, or all of them.
 */
@Injectable()
export class JobStatusStream implements OnModuleDestroy {
  private readonly logger = new Logger(JobStatusStream.name);
  private readonly waiter: NotifyWaiter;

  constructor(
    private readonly dataSource: DataSource,
    @Inject(GENERATION_CONFIG) config: GenerationConfig,
  ) {
    this.waiter = new NotifyWaiter(config.DATABASE_URL, JOB_EVENTS_CHANNEL, (error) =>
      this.logger.warn(`job events listener lost: ${error.message}`),
    );
  }

  /** `afterSeq` below zero: from now on. `jobId` null: all the user's jobs. */
  async waitAfter(
    userId: string,
    jobId: string | null,
    afterSeq: number,
    waitMs: number,
  ): Promise<{ events: JobEvent[]; lastSeq: number }> {
    if (jobId !== null) {
      if (!isUuid(jobId) || !(await jobEventRows.isShownJob(this.dataSource, userId, jobId))) {
        throw ProblemError.notFound(`No generation ${jobId}.`);
      }
    }
    let from = afterSeq;
    if (from < 0) {
      from = await jobEventRows.lastSeq(this.dataSource, userId);
    }
    const events = await this.waiter.waitFor(userId, () => this.after(userId, from), waitMs);
    return {
      events: jobId === null ? events : events.filter((e) => e.jobId === jobId),
      // the user's position, even where this job had nothing: the next wait starts after it
      lastSeq: events.at(-1)?.seq ?? from,
    };
  }

  async onModuleDestroy(): Promise<void> {
    await this.waiter.close();
  }

  private async after(userId: string, afterSeq: number): Promise<JobEvent[]> {
    return jobEventRows.after(this.dataSource, userId, afterSeq);
  }
}
