import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { Clock } from '@fluxnote/clock';
import { ProblemError } from '@fluxnote/contracts';
import { JobEntity, OUTPUT_MODERATION } from '../jobs/job.entity';
import { appendJobLog } from '../jobs/job-log.repository';
import { normalisePrompt } from './prompt-safety';
import { approvalRows } from './prompt-approvals.repository';
import { jobRows } from '../jobs/jobs.repository';

export interface PromptApproval {
  job: JobEntity;
  approvedAt: Date;
  agentId: string | null;
  creditPool: 'video' | 'image';
}

/** Which credit pool a job of this mode spends from. */
export function creditPoolOf(mode: string): 'video' | 'image' {
  return mode.endsWith('-to-image') ? 'image' : 'video';
}

/**
 * Support's verdict that a blocked prompt was a false positive. The blocked
 * job stays in the history as it was (it held nothing) with the approval in
 * its log; the same prompt — compared normalised, as the check reads it — now
 * passes for that user. Other users' prompts are still checked as before.
 */
@Injectable()
export class PromptApprovals {
  constructor(
    private readonly dataSource: DataSource,
    private readonly clock: Clock,
  ) {}

  /** Once per job: a repeated approval answers the first (same time, same agent). */
  async approve(
    jobId: string,
    agentId: string,
    ticketId: string | null,
    note: string,
  ): Promise<PromptApproval> {
    return this.dataSource.transaction(async (manager) => {
      const job = await jobRows.lock(manager, jobId);
      if (!job) {
        throw ProblemError.notFound(`No generation ${jobId}.`);
      }
      if (job.status !== 'blocked') {
        throw ProblemError.conflict(
          `Only a blocked prompt can be approved; this generation is ${job.status}.`,
          { jobStatus: job.status },
        );
      }
      if (job.failureReason === OUTPUT_MODERATION) {
        // The prompt passed; the provider withheld the output, and its credits came back already.
        throw ProblemError.conflict(
          'This generation’s prompt was not blocked: the provider withheld its output, and its credits were refunded.',
          { jobStatus: job.status, reason: OUTPUT_MODERATION },
        );
      }
      const now = this.clock.now();
      let approval = await approvalRows.insert(manager, {
        jobId: job.id,
        userId: job.userId,
        promptKey: normalisePrompt(job.prompt),
        agentId,
        ticketId,
        note,
        at: now,
      });
      if (approval) {
        await appendJobLog(
          manager,
          this.clock.now(),
          job.id,
          'decision',
          'prompt approved by support on review',
          {
            agentId,
            ticketId,
            note,
          },
        );
      } else {
        approval = await approvalRows.ofJob(manager, job.id);
      }
      return {
        job,
        approvedAt: approval.approvedAt,
        agentId: approval.agentId,
        creditPool: creditPoolOf(job.mode),
      };
    });
  }

  /** Whether support approved this prompt (as the check normalises it) for this user. */
  async covers(userId: string, prompt: string): Promise<boolean> {
    return approvalRows.covers(this.dataSource, userId, normalisePrompt(prompt));
  }
}
