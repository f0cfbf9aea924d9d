import { Controller } from '@nestjs/common';
import { z } from 'zod';
import { isUuid, ProblemError, supportV1, parseInput, requireUuid } from '@fluxnote/contracts';
import { AlsoServedAs } from '@fluxnote/grpc';
import { AgentActions } from './agent-actions.service';
import { AgentDesk } from './agent-desk.service';
import { toTicket } from './ticket-messages';

/** `AgentDeskService`: the agents' queue, claims, replies, cited jobs and actions. */
@Controller()
@AlsoServedAs(supportV1.SUPPORT_SERVICE_NAME)
@supportV1.AgentDeskServiceControllerMethods()
export class AgentDeskGrpcController implements supportV1.AgentDeskServiceController {
  constructor(
    private readonly desk: AgentDesk,
    private readonly actions: AgentActions,
  ) {}

  async listQueue(request: supportV1.AgentRequest): Promise<supportV1.TicketList> {
    return {
      tickets: (
        await this.desk.queue(requireUuid(request.actorId, 'actorId'), request.limit || 50)
      ).map(toTicket),
    };
  }

  async claimNext(request: supportV1.AgentRequest): Promise<supportV1.ClaimResult> {
    const ticket = await this.desk.claimNext(requireUuid(request.actorId, 'actorId'));
    return ticket ? { ticket: toTicket(ticket) } : {};
  }

  async reply(request: supportV1.AgentReplyRequest): Promise<supportV1.Ticket> {
    const { body } = parseInput(
      z.object({ body: z.string().trim().min(1, 'is required').max(20_000) }),
      { body: request.body },
    );
    if (!isUuid(request.ticketId)) {
      throw ProblemError.notFound(`No ticket ${request.ticketId}.`);
    }
    return toTicket(
      await this.desk.reply(requireUuid(request.actorId, 'actorId'), request.ticketId, body),
    );
  }

  async getJobLog(request: supportV1.AgentJobLogRequest): Promise<supportV1.AgentJobLog> {
    const { log, ticketIds } = await this.actions.jobLog(
      requireUuid(request.actorId, 'actorId'),
      requireUuid(request.jobId, 'jobId'),
    );
    return { log, ticketIds };
  }

  /** The request's fields for the action's type (proto3 sends every field; unset ones are empty). */
  async takeAction(request: supportV1.AgentActionRequest): Promise<supportV1.AgentActionResult> {
    if (!isUuid(request.ticketId)) {
      throw ProblemError.notFound(`No ticket ${request.ticketId}.`);
    }
    const result = await this.actions.take(
      requireUuid(request.actorId, 'actorId'),
      request.ticketId,
      {
        type: request.type,
        note: request.note,
        ...(request.jobId ? { jobId: request.jobId } : {}),
        ...(request.chargeId ? { chargeId: request.chargeId } : {}),
        ...(request.amount !== undefined ? { amount: request.amount } : {}),
        ...(request.decision ? { decision: request.decision } : {}),
      },
    );
    return {
      ticketId: result.ticketId,
      type: result.type,
      actorId: result.actorId,
      takenAt: result.takenAt.toISOString(),
      outcomeJson: JSON.stringify(result.outcome),
    };
  }
}
