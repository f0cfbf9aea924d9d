import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnModuleDestroy,
} from '@nestjs/common';
import { Client } from 'pg';
import { setTimeout as sleep } from 'node:timers/promises';
import { DataSource } from 'typeorm';
import { Clock } from '@fluxnote/clock';
import { GENERATION_CONFIG, type GenerationConfig } from '../config/generation.config';
import { JobEntity, type JobOutcome } from '../jobs/job.entity';
import { appendJobLog } from '../jobs/job-log.repository';
import { JobSettlement } from '../jobs/job-settlement';
import { JobQueue } from '../jobs/job-queue';
import { queueRows } from '../jobs/queue.repository';
import { WORK_CHANNEL } from '../jobs/work-channel';
import { timeLimitMs } from '../catalog/model-catalog';
import { ModelProviders } from '../providers/model-providers';
import type { ProviderRequest, ProviderResult } from '../providers/model-provider';
import { Likenesses } from '../likenesses/likenesses';
import { GenerationMetrics } from '../jobs/generation-metrics';

/**
 * Takes queued jobs from the shared queue (`JobQueue`: priority lane first,
 * fair between users, SKIP LOCKED across workers and processes), runs them on the provider
 * with bounded retries for transient errors, heartbeats while running, and
 * hands the outcome to settlement.
 */
@Injectable()
export class JobWorker implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(JobWorker.name);
  private running = false;
  private listener: Client | undefined;
  private readonly wakers = new Set<() => void>();
  private loops: Promise<void>[] = [];
  private readonly metrics = new GenerationMetrics();

  constructor(
    private readonly dataSource: DataSource,
    private readonly providers: ModelProviders,
    private readonly settlement: JobSettlement,
    private readonly queue: JobQueue,
    private readonly likenesses: Likenesses,
    private readonly clock: Clock,
    @Inject(GENERATION_CONFIG) private readonly config: GenerationConfig,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    if (this.config.WORKER_CONCURRENCY === 0) {
      return;
    }
    this.running = true;
    this.listener = new Client({
      connectionString: this.config.DATABASE_URL,
      application_name: 'generation-worker',
    });
    this.listener.on('notification', () => this.wakeAll());
    this.listener.on('error', (error) => this.logger.error(`listener: ${String(error)}`));
    await this.listener.connect();
    await this.listener.query(`LISTEN ${WORK_CHANNEL}`);
    this.loops = Array.from({ length: this.config.WORKER_CONCURRENCY }, () => this.loop());
  }

  async onModuleDestroy(): Promise<void> {
    this.running = false;
    this.wakeAll();
    await Promise.all(this.loops);
    await this.listener?.end().catch(() => undefined);
  }

  private wakeAll(): void {
    for (const wake of this.wakers) {
      wake();
    }
  }

  private async loop(): Promise<void> {
    while (this.running) {
      let job: JobEntity | undefined;
      try {
        job = await this.queue.claimNext();
        if (job) {
          await this.process(job);
        }
      } catch (error) {
        this.logger.error(`worker: ${error instanceof Error ? error.stack : String(error)}`);
      }
      if (!job && this.running) {
        await new Promise<void>((resolve) => {
          const timer = setTimeout(done, 1000);
          function done(): void {
            clearTimeout(timer);
            resolve();
          }
          this.wakers.add(done);
        });
        this.wakers.clear();
      }
    }
  }

  private async process(job: JobEntity): Promise<void> {
    const heartbeat = setInterval(
      () => {
        void queueRows.heartbeat(this.dataSource, job.id, this.clock.now()).catch(() => undefined);
      },
      Math.max(100, Math.floor(this.config.WORKER_HEARTBEAT_TIMEOUT_MS / 3)),
    );
    try {
      const result = await this.runWithRetries(job);
      const outcome: JobOutcome = result.ok
        ? { status: 'succeeded', outputUrl: result.outputUrl }
        : result.reason === 'output_blocked'
          ? { status: 'blocked', detail: result.detail }
          : { status: 'failed', reason: result.reason, detail: result.detail };
      if (await this.settlement.recordOutcome(job.id, job.attempts, outcome)) {
        await this.settlement.settle(job.id);
      }
    } finally {
      clearInterval(heartbeat);
    }
  }

  private async runWithRetries(job: JobEntity): Promise<ProviderResult> {
    const provider = this.providers.for(job.model);
    const limitMs = timeLimitMs(job.model);
    const startedAt = (job.startedAt ?? this.clock.now()).getTime();
    const faceIdentity = job.faceIdentityId
      ? await this.likenesses.media(job.faceIdentityId)
      : undefined;
    const voiceSample = job.voiceCloneId
      ? await this.likenesses.media(job.voiceCloneId)
      : undefined;
    const request: ProviderRequest = {
      jobId: job.id,
      model: job.model,
      mode: job.mode,
      prompt: job.prompt,
      durationSec: job.durationSec,
      aspectRatio: job.aspectRatio,
      noTraining: true,
      timeLimitMs: Math.max(0, startedAt + limitMs - this.clock.now().getTime()),
      ...(faceIdentity ? { faceIdentity } : {}),
      ...(voiceSample
        ? { voiceover: { sample: voiceSample } }
        : job.voiceId
          ? { voiceover: { voiceId: job.voiceId } }
          : {}),
      ...(job.captions ? { captions: job.captions } : {}),
      ...(job.inputImageUrl ? { inputImageUrl: job.inputImageUrl } : {}),
    };
    for (let call = 1; ; call++) {
      const started = Date.now();
      let result: ProviderResult;
      try {
        result = await provider.run(request);
      } catch (error) {
        result = {
          ok: false,
          reason: 'internal',
          transient: false,
          detail: `adapter error: ${String(error)}`,
        };
      }
      const ms = Date.now() - started;
      this.metrics.providerCalled(provider.name, job.model, ms / 1000, result);
      // One statement: no transaction needed around it.
      await appendJobLog(
        this.dataSource.manager,
        this.clock.now(),
        job.id,
        result.ok ? 'provider_call' : 'error',
        `${provider.name} call ${call}`,
        {
          provider: provider.name,
          attempt: job.attempts,
          call,
          noTraining: request.noTraining,
          ms,
          result,
        },
      );
      if (result.ok || !result.transient || call > this.config.PROVIDER_RETRIES) {
        if (!result.ok) {
          await provider.abandon(job.id).catch((error: unknown) => {
            this.logger.warn(`abandoning job ${job.id} at ${provider.name}: ${String(error)}`);
          });
        }
        return result;
      }
      await sleep(this.config.PROVIDER_RETRY_BASE_MS * 2 ** (call - 1));
    }
  }
}
