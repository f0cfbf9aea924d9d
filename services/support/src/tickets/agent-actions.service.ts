import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { Clock } from '@fluxnote/clock';
import {
  agentActionSchema,
  parseInput,
  ProblemError,
  type AgentAction,
  type generationV1,
} from '@fluxnote/contracts';
import { PlatformServices } from '../platform/platform-services';
import { AgentDesk } from './agent-desk.service';
import { recordAudit } from './ticket-audit.repository';
import { ticketRows, type TicketRow } from './tickets.repository';

/** Actions only a senior agent (or an admin) may take. */
const seniorActions: readonly AgentAction['type'][] = [
  'goodwill_refund',
  'unfreeze_account',
  'decide_appeal',
];

export interface ActionResult {
  ticketId: string;
  type: AgentAction['type'];
  actorId: string;
  takenAt: Date;
  outcome: Record<string, unknown>;
}

interface Performed {
  /** Unique per thing acted on: a retry is audited once. */
  key: string;
  before: Record<string, unknown>;
  outcome: Record<string, unknown>;
}

/**
 * The actions an agent takes on a ticket, each through the service that owns
 * the thing: billing (a job's credits back after a technical-fault review, a
 * goodwill refund, one credit for a prompt blocked by mistake), generation (the
 * prompt approval itself) and accounts (unfreeze, the appeal decision). Roles
 * are checked here against support's own records, then again by accounts for
 * its actions. Each action is audited with the agent, the time, the ticket and
 * before/after; the other services make each call idempotent (keys, once per
 * job, final decisions), so a retried action neither pays nor grants twice.
 */
@Injectable()
export class AgentActions {
  constructor(
    private readonly dataSource: DataSource,
    private readonly desk: AgentDesk,
    private readonly platform: PlatformServices,
    private readonly clock: Clock,
  ) {}

  async take(actorId: string, ticketId: string, input: unknown): Promise<ActionResult> {
    const action = parseInput(agentActionSchema, input);
    const senior = await this.desk.assertAgent(actorId);
    const ticket = await this.ticket(ticketId);
    if ((ticket.for_seniors || seniorActions.includes(action.type)) && !senior) {
      throw ProblemError.forbidden(
        ticket.for_seniors
          ? 'This ticket is for senior agents (security, suspension appeals).'
          : `Only a senior agent can take the action ${action.type}.`,
      );
    }
    if (ticket.claimed_by !== actorId && !senior) {
      throw ProblemError.conflict('Claim this ticket before acting on it.');
    }
    const performed = await this.perform(actorId, ticket, action);
    const takenAt = this.clock.now();
    await recordAudit(this.dataSource.manager, {
      ticketId,
      actorId,
      action: action.type,
      before: performed.before,
      after: { ...performed.outcome, note: action.note },
      at: takenAt,
      key: performed.key,
    });
    return { ticketId, type: action.type, actorId, takenAt, outcome: performed.outcome };
  }

  /** A job cited on a ticket, with its log; only for agents, and security tickets' jobs for seniors. */
  async jobLog(
    actorId: string,
    jobId: string,
  ): Promise<{ log: generationV1.JobLog; ticketIds: string[] }> {
    const senior = await this.desk.assertAgent(actorId);
    const cited = await ticketRows.citing(this.dataSource, jobId);
    const log = cited.length > 0 ? await this.platform.jobLog(jobId) : undefined;
    // Only a ticket of the job's owner shows its log (one citing someone else's job shows nothing).
    const citing = cited.filter((t) => t.userId === log?.job?.userId);
    const visible = citing.filter((t) => senior || !t.forSeniors);
    if (!log || visible.length === 0) {
      throw ProblemError.notFound(
        citing.length === 0
          ? `No ticket of its owner cites job ${jobId}; agents see the logs of jobs a customer names.`
          : `Only senior agents see job ${jobId}: the tickets citing it are for them.`,
      );
    }
    return { log, ticketIds: visible.map((t) => t.id) };
  }

  private async perform(
    actorId: string,
    ticket: TicketRow,
    action: AgentAction,
  ): Promise<Performed> {
    const userId = ticket.user_id;
    switch (action.type) {
      case 'refund_job_credits': {
        const job = await this.citedJob(ticket, action.jobId);
        const grant = await this.platform.refundJobCredits({
          key: job.id,
          reason: action.note,
          agentId: actorId,
        });
        return {
          key: `refund_job_credits:${job.id}`,
          before: { jobId: job.id, jobStatus: job.status, creditsRefunded: false },
          outcome: { jobId: job.id, grant: grantView(grant) },
        };
      }
      case 'approve_prompt': {
        const job = await this.citedJob(ticket, action.jobId);
        if (job.status !== 'blocked') {
          throw ProblemError.conflict(
            `Only a blocked prompt can be approved; this generation is ${job.status}.`,
          );
        }
        const approval = await this.platform.approvePrompt({
          jobId: job.id,
          agentId: actorId,
          ticketId: ticket.id,
          note: action.note,
        });
        const pool = approval.creditPool === 'image' ? 'image' : 'video';
        const grant = await this.platform.grantCredits({
          key: `prompt-approval:${job.id}`,
          userId,
          credits: { video: pool === 'video' ? 1 : 0, image: pool === 'image' ? 1 : 0 },
          reason: 'a prompt blocked by mistake, approved on review',
          agentId: actorId,
        });
        return {
          key: `approve_prompt:${job.id}`,
          before: { jobId: job.id, promptApproved: false },
          outcome: { jobId: job.id, approvedAt: approval.approvedAt, grant: grantView(grant) },
        };
      }
      case 'goodwill_refund': {
        const refund = await this.platform.goodwillRefund({
          agentId: actorId,
          userId,
          chargeId: action.chargeId,
          reason: action.note,
          amount: action.amount,
          // one goodwill refund per charge per ticket: a retry answers the first
          idempotencyKey: `ticket:${ticket.id}:${action.chargeId}`,
        });
        return {
          key: `goodwill_refund:${ticket.id}:${action.chargeId}`,
          before: { chargeId: action.chargeId },
          outcome: {
            refund: {
              id: refund.id,
              chargeId: refund.chargeId,
              decision: refund.decision,
              status: refund.status,
              amount: refund.amount,
              explanation: refund.explanation,
            },
          },
        };
      }
      case 'unfreeze_account': {
        const user = await this.platform.unfreeze({
          userId,
          actorId,
          note: action.note,
          ticketId: ticket.id,
        });
        return {
          key: `unfreeze_account:${ticket.id}`,
          before: { accountStatus: 'frozen' },
          outcome: { accountStatus: user.status },
        };
      }
      case 'decide_appeal': {
        if (!ticket.suspension_id) {
          throw ProblemError.unprocessable(
            'not-an-appeal',
            'Not a suspension appeal',
            'Only a suspension appeal ticket can be decided.',
          );
        }
        const suspension = await this.platform.decideAppeal({
          suspensionId: ticket.suspension_id,
          actorId,
          decision: action.decision,
          note: action.note,
          ticketId: ticket.id,
        });
        return {
          key: `decide_appeal:${ticket.suspension_id}`,
          before: { suspensionId: ticket.suspension_id, decision: null },
          outcome: {
            suspensionId: suspension.id,
            decision: suspension.decision,
            decidedAt: suspension.decidedAt,
          },
        };
      }
    }
  }

  private async ticket(ticketId: string): Promise<TicketRow> {
    const row = /^[0-9a-f-]{36}$/i.test(ticketId)
      ? await ticketRows.byId(this.dataSource, ticketId)
      : undefined;
    if (!row) {
      throw ProblemError.notFound(`No ticket ${ticketId}.`);
    }
    if (row.status === 'closed') {
      throw ProblemError.conflict('This ticket is closed.');
    }
    return row;
  }

  /** A job the ticket cites and its customer owns (generation's record of it, without its log). */
  private async citedJob(ticket: TicketRow, jobId: string): Promise<generationV1.Job> {
    if (!ticket.job_ids.includes(jobId)) {
      throw ProblemError.unprocessable(
        'job-not-cited',
        'Job not cited',
        'Act only on a job the ticket cites.',
        { jobId },
      );
    }
    // generation answers only for the customer's own job (anyone else's is not found)
    return this.platform.customerJob(ticket.user_id, jobId).catch((error: unknown) => {
      if (error instanceof ProblemError && error.problem.status === 404) {
        throw ProblemError.unprocessable(
          'job-not-cited',
          'Job not the customer’s',
          'The cited job belongs to someone else.',
          { jobId },
        );
      }
      throw error;
    });
  }
}

function grantView(grant: {
  key: string;
  credits?: { video: number; image: number };
  createdAt: string;
}) {
  return { key: grant.key, credits: grant.credits, createdAt: grant.createdAt };
}
