import { Injectable, Logger } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { Clock } from '@fluxnote/clock';
import { jobBlockedV1, jobQueuedV1, ProblemError } from '@fluxnote/contracts';
import { Outbox } from '@fluxnote/messaging';
import {
  CoalescedNotifier,
  groupCommit,
  isForeignKeyViolation,
  isUniqueViolation,
} from '@fluxnote/persistence';
import { AccountStanding } from '@fluxnote/platform';
import { BillingLedger } from '../../billing/billing-ledger';
import { CatalogService } from '../../catalog/catalog.service';
import type { JobRequest } from '../../catalog/job-request-rules';
import { JobEntity } from '../job.entity';
import { submitRows, type JobToQueue, type NewJob } from './submit-job.repository';
import { Lane, laneFor } from '../queue.rules';
import { WORK_CHANNEL } from '../work-channel';
import { JOB_EVENTS_CHANNEL } from '../job-status-stream';
import { PromptSafetyCheck, type SafetyVerdict } from '../../safety/prompt-safety';
import { PromptApprovals } from '../../safety/prompt-approvals';
import { likenessFields, Likenesses } from '../../likenesses/likenesses';
import { GenerationMetrics, submitOutcome } from '../generation-metrics';

export interface SubmitJobInput extends JobRequest {
  userId: string;
  idempotencyKey: string | null;
  projectId?: string;
  /** The user's voice clone and face identity the job uses (`voiceClone`/`faceIdentity` say so). */
  voiceCloneId?: string;
  faceIdentityId?: string;
}

/** How long a repeat waits, step by step (about 2.5 s in all), for a twin still being held for. */
const twinWaitsMs = [10, 20, 40, 80, 160, 320, 640, 1280];

/** 422 for a prompt the content-safety check refused; the job stays in the history as `blocked`. */
function blockedProblem(jobId: string, verdict: SafetyVerdict): ProblemError {
  const rule = verdict.allowed ? 'content-policy' : verdict.rule;
  return ProblemError.unprocessable(
    'content-policy',
    'Blocked by the content policy',
    `${verdict.allowed ? 'This prompt was blocked.' : verdict.explanation} Nothing was charged. If you think this is a mistake, contact support with the job id.`,
    { rule, jobId },
  );
}

/**
 * Accepts a job: checks the prompt (content safety) and the model's limits, holds its credits in
 * billing (keyed by the job id), then queues it. The job row exists as
 * `reserving` before billing is called, so a crash in between is found and
 * released by the recovery pass; a retry with the same idempotency key returns
 * the same job. The inserts of concurrent submits go in one statement and one commit, and so do
 * their queueing (group-commit.ts); an error of one job reaches only its own submit.
 */
@Injectable()
export class SubmitJobUseCase {
  private readonly logger = new Logger(SubmitJobUseCase.name);
  private readonly metrics = new GenerationMetrics();
  private readonly insertJob = groupCommit(
    async (jobs: readonly NewJob[]) => {
      await submitRows.insert(this.dataSource, jobs);
      return jobs.map(() => undefined);
    },
    { statement: 'generation_submit' },
  );
  private readonly queueJob = groupCommit(
    (jobs: readonly JobToQueue[]) => submitRows.queue(this.dataSource, jobs),
    { statement: 'generation_queue' },
  );

  constructor(
    private readonly dataSource: DataSource,
    private readonly ledger: BillingLedger,
    private readonly outbox: Outbox,
    private readonly catalog: CatalogService,
    private readonly safety: PromptSafetyCheck,
    private readonly approvals: PromptApprovals,
    private readonly standing: AccountStanding,
    private readonly likenesses: Likenesses,
    private readonly clock: Clock,
    private readonly notifier: CoalescedNotifier,
  ) {}

  /** Submits the job, counting what it came to (`fluxnote_generation_submits_total`). */
  async execute(input: SubmitJobInput): Promise<JobEntity> {
    try {
      const { job, replayed } = await this.submit(input);
      this.metrics.submitted(submitOutcome({ replayed }));
      return job;
    } catch (error) {
      this.metrics.submitted(submitOutcome({ error }));
      throw error;
    }
  }

  /**
   * The answer to a repeated request: the job an earlier one with this Idempotency-Key made, as
   * it stands (a blocked one is refused again; one still being held for after a short wait is a
   * conflict), or undefined when there is none (or its twin was refused meanwhile). Asked only when this request cannot go on as a new job — its
   * insert collides with the key, or a check refuses what the first request was allowed — so a
   * first request reads nothing for it (the gateway answers most repeats from its own record).
   */
  private async replay(
    input: SubmitJobInput,
  ): Promise<{ job: JobEntity; replayed: true } | undefined> {
    if (!input.idempotencyKey) {
      return undefined;
    }
    let existing = await submitRows.byKey(this.dataSource, input.userId, input.idempotencyKey);
    // A twin sent at the same moment (here or on another replica) is still holding its credits:
    // its answer comes within moments, and is this one's too.
    for (const pause of twinWaitsMs) {
      if (existing?.status !== 'reserving') {
        break;
      }
      await new Promise((resolve) => setTimeout(resolve, pause));
      existing = await submitRows.byKey(this.dataSource, input.userId, input.idempotencyKey);
    }
    if (!existing) {
      return undefined;
    }
    if (existing.status === 'blocked') {
      throw blockedProblem(existing.id, await this.safety.check(existing.prompt));
    }
    if (existing.status === 'reserving') {
      throw ProblemError.conflict('A request with this Idempotency-Key is still being processed.');
    }
    return { job: existing, replayed: true };
  }

  private async submit(input: SubmitJobInput): Promise<{ job: JobEntity; replayed: boolean }> {
    let evaluation: ReturnType<CatalogService['evaluate']>;
    try {
      evaluation = this.catalog.evaluate(input);
      await this.standing.assertActive(input.userId, 'New generations');
      await this.likenesses.assertJobUses(input.userId, input);
    } catch (error) {
      // A repeat of a job accepted before the account was frozen, or before a likeness it uses
      // was deleted, answers that job, as its first answer did.
      const earlier = await this.replay(input);
      if (earlier) {
        return earlier;
      }
      throw error;
    }
    const { quote, model, mode, captions } = evaluation;
    const verdict = await this.safety.check(input.prompt);
    // A prompt support approved for this user (a false positive) passes.
    const approvedBySupport =
      !verdict.allowed && (await this.approvals.covers(input.userId, input.prompt));
    const safety: SafetyVerdict = approvedBySupport ? { allowed: true } : verdict;
    const job: JobEntity = Object.assign(new JobEntity(), {
      id: randomUUID(),
      userId: input.userId,
      idempotencyKey: input.idempotencyKey,
      status: safety.allowed ? 'reserving' : 'blocked',
      model: model.id,
      mode,
      prompt: input.prompt.trim(),
      durationSec: quote.durationSec,
      aspectRatio: quote.aspectRatio,
      template: input.template ?? null,
      projectId: input.projectId ?? null,
      voiceCloneId: input.voiceCloneId ?? null,
      voiceId: input.voiceId ?? null,
      faceIdentityId: input.faceIdentityId ?? null,
      captions,
      inputImageUrl: input.imageUrl ?? null,
      // A blocked prompt holds nothing.
      videoCredits: safety.allowed ? quote.videoCredits : 0,
      imageCredits: safety.allowed ? quote.imageCredits : 0,
      lane: Lane.Shared,
      attempts: 0,
      outcome: null,
      failureReason: safety.allowed ? null : 'content_policy',
      failureDetail: safety.allowed ? null : `${safety.rule}: ${safety.explanation}`,
      refunded: false,
      outputUrl: null,
      startedAt: null,
      heartbeatAt: null,
    });
    try {
      // The job (`reserving`, or `blocked`) and its first log lines in one statement (atomic on its
      // own, shared with concurrent submits: no transaction on the submit path); a blocked one's
      // event beside it, in a transaction.
      const firstLines = {
        input: {
          model: job.model,
          mode: job.mode,
          prompt: job.prompt,
          durationSec: job.durationSec,
          aspectRatio: job.aspectRatio,
          template: job.template,
          options: {
            voiceCloneId: job.voiceCloneId,
            voiceId: job.voiceId,
            faceIdentityId: job.faceIdentityId,
            captions: job.captions,
            imageUrl: job.inputImageUrl,
          },
          quote,
          ...(approvedBySupport ? { safety: 'approved by support on an earlier review' } : {}),
        },
        blocked: safety.allowed ? {} : { rule: safety.rule, category: safety.category },
      };
      // by the platform clock: "used this model in the last 48 hours" is judged on it
      const newJob: NewJob = { job, firstLines, at: this.clock.now() };
      if (safety.allowed) {
        await this.insertJob(newJob);
      } else {
        await this.dataSource.transaction(async (manager) => {
          await submitRows.insert(manager, [newJob]);
          await this.outbox.add(manager, jobBlockedV1, job.userId, {
            jobId: job.id,
            userId: job.userId,
            model: job.model,
            mode: job.mode,
            rule: safety.rule,
            explanation: safety.explanation,
          });
        });
      }
    } catch (error) {
      if (isUniqueViolation(error, 'jobs_user_idempotency_key')) {
        // A repeat (or a concurrent twin) of an earlier request: its job is the answer. Gone
        // meanwhile (deleted by its owner): this one goes on as a new job.
        return (await this.replay(input)) ?? this.submit(input);
      }
      // Deleted between the check above and the insert.
      if (isForeignKeyViolation(error, 'jobs_voice_clone_id_fkey')) {
        throw this.likenesses.missing('voice', likenessFields.voice);
      }
      if (isForeignKeyViolation(error, 'jobs_face_identity_id_fkey')) {
        throw this.likenesses.missing('face', likenessFields.face);
      }
      throw error;
    }
    if (!safety.allowed) {
      throw blockedProblem(job.id, safety);
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
      // Billing knows the plan: a Max user's job waits in the priority lane.
      job.lane = laneFor(reservation.priorityLane);
    } catch (error) {
      if (error instanceof ProblemError && error.problem.status < 500) {
        // Refused by billing (not enough credits, account not open yet): the job never existed.
        await submitRows.removeReserving(this.dataSource, job.id);
        throw error;
      }
      // Billing's answer is unknown; the recovery pass releases the hold and removes the job.
      this.logger.warn(`reserve for job ${job.id} failed: ${String(error)}`);
      throw ProblemError.unavailable(
        'Credits could not be reserved just now. Retry with the same Idempotency-Key.',
      );
    }

    const event = this.outbox.row(jobQueuedV1, job.userId, {
      jobId: job.id,
      userId: job.userId,
      model: job.model,
      mode: job.mode,
    });
    const times = await this.queueJob({ job, at: this.clock.now(), event: event.values });
    if (!times) {
      throw ProblemError.conflict(
        'This submission was abandoned while credits were being held. Submit again.',
      );
    }
    this.outbox.written(this.dataSource.manager);
    const accepted = {
      ...job,
      status: 'queued' as const,
      createdAt: times.createdAt,
      updatedAt: times.updatedAt,
    };
    // Committed: wake an idle worker and the owner’s status streams (after the statement,
    // so submits do not wait for each other's NOTIFY at commit).
    this.notifier.notify(WORK_CHANNEL, job.model);
    this.notifier.notify(JOB_EVENTS_CHANNEL, job.userId);
    return { job: accepted, replayed: false };
  }
}
