import { Injectable, Logger } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { jobQueuedV1, ProblemError } from '@fluxnote/contracts';
import { Outbox } from '@fluxnote/messaging';
import { isUniqueViolation } from '@fluxnote/persistence';
import { BillingLedger } from '../../billing/billing-ledger';
import { CatalogService } from '../../catalog/catalog.service';
import type { JobRequest } from '../../catalog/job-request-rules';
import { JobEntity } from '../job.entity';
import { appendJobLog } from '../job-log';
import { WORK_CHANNEL } from '../work-channel';

export interface SubmitJobInput extends JobRequest {
  userId: string;
  idempotencyKey: string | null;
  projectId?: string;
}

/**
 * Accepts a job: checks it against the model's limits, holds its credits in
 * billing (keyed by the job id), then queues it. The job row exists as
 * `reserving` before billing is called, so a crash in between is found and
 * released by the recovery pass; a retry with the same idempotency key returns
 * the same job.
 */
@Injectable()
export class SubmitJobUseCase {
  private readonly logger = new Logger(SubmitJobUseCase.name);

  constructor(
    private readonly dataSource: DataSource,
    private readonly ledger: BillingLedger,
    private readonly outbox: Outbox,
    private readonly catalog: CatalogService,
  ) {}

  async execute(input: SubmitJobInput): Promise<JobEntity> {
    const evaluation = this.catalog.evaluate(input);
    const jobs = this.dataSource.getRepository(JobEntity);
    if (input.idempotencyKey) {
      const existing = await jobs.findOneBy({
        userId: input.userId,
        idempotencyKey: input.idempotencyKey,
      });
      if (existing && existing.status !== 'reserving') {
        return existing;
      }
      if (existing) {
        throw ProblemError.conflict(
          'A request with this Idempotency-Key is still being processed.',
        );
      }
    }
    const { quote, model, mode } = evaluation;
    const job = jobs.create({
      id: randomUUID(),
      userId: input.userId,
      idempotencyKey: input.idempotencyKey,
      status: 'reserving',
      model: model.id,
      mode,
      prompt: input.prompt.trim(),
      durationSec: quote.durationSec,
      aspectRatio: quote.aspectRatio,
      template: input.template ?? null,
      projectId: input.projectId ?? null,
      videoCredits: quote.videoCredits,
      imageCredits: quote.imageCredits,
      lane: 1,
      attempts: 0,
      outcome: null,
      failureReason: null,
      failureDetail: null,
      refunded: false,
      outputUrl: null,
      startedAt: null,
      heartbeatAt: null,
    });
    try {
      await this.dataSource.transaction(async (manager) => {
        await manager.insert(JobEntity, job);
        await appendJobLog(manager, job.id, 'input', 'job submitted', {
          model: job.model,
          mode: job.mode,
          prompt: job.prompt,
          durationSec: job.durationSec,
          aspectRatio: job.aspectRatio,
          template: job.template,
          quote,
        });
      });
    } catch (error) {
      if (isUniqueViolation(error, 'jobs_user_idempotency_key')) {
        return this.execute(input);
      }
      throw error;
    }

    try {
      const reservation = await this.ledger.reserve(job.id, job.userId, {
        video: job.videoCredits,
        image: job.imageCredits,
      });
      if (reservation.status !== 'pending') {
        throw ProblemError.conflict(
          'The credit hold for this job was already released. Submit again.',
        );
      }
    } catch (error) {
      if (error instanceof ProblemError && error.problem.status < 500) {
        // Refused by billing (not enough credits, account not open yet): the job never existed.
        await jobs.delete({ id: job.id, status: 'reserving' });
        throw error;
      }
      // Billing's answer is unknown; the recovery pass releases the hold and removes the job.
      this.logger.warn(`reserve for job ${job.id} failed: ${String(error)}`);
      throw ProblemError.unavailable(
        'Credits could not be reserved just now. Retry with the same Idempotency-Key.',
      );
    }

    return this.dataSource.transaction(async (manager) => {
      const [queued] = await manager.query<[{ created_at: Date; updated_at: Date }[], number]>(
        `UPDATE generation.jobs SET status = 'queued', updated_at = now()
          WHERE id = $1 AND status = 'reserving' RETURNING created_at, updated_at`,
        [job.id],
      );
      const times = queued[0];
      if (!times) {
        throw ProblemError.conflict(
          'This submission was abandoned while credits were being held. Submit again.',
        );
      }
      await appendJobLog(manager, job.id, 'decision', 'credits reserved; job queued', {
        videoCredits: job.videoCredits,
        imageCredits: job.imageCredits,
        lane: job.lane,
      });
      await this.outbox.add(manager, jobQueuedV1, job.userId, {
        jobId: job.id,
        userId: job.userId,
        model: job.model,
        mode: job.mode,
      });
      await manager.query('SELECT pg_notify($1, $2)', [WORK_CHANNEL, job.model]);
      return {
        ...job,
        status: 'queued' as const,
        createdAt: times.created_at,
        updatedAt: times.updated_at,
      };
    });
  }
}
