import { Controller } from '@nestjs/common';
import { z } from 'zod';
import { accountsV1, ProblemError, parseInput, requireUuid } from '@fluxnote/contracts';
import { AlsoServedAs } from '@fluxnote/grpc';
import { required, suspendInput, toSuspension, toUser } from './account-messages';
import { StaffActionsService } from './staff-actions.service';

/** `StandingService`: staff freezes, suspensions and their appeal, roles (the actor's roles checked here). */
@Controller()
@AlsoServedAs(accountsV1.ACCOUNTS_SERVICE_NAME)
@accountsV1.StandingServiceControllerMethods()
export class StandingGrpcController implements accountsV1.StandingServiceController {
  constructor(private readonly staff: StaffActionsService) {}

  async freezeAccount(request: accountsV1.StaffActionRequest): Promise<accountsV1.User> {
    return toUser(
      await this.staff.freeze(
        requireUuid(request.userId, 'userId'),
        requireUuid(request.actorId, 'actorId'),
        request.note,
        request.ticketId || null,
      ),
    );
  }

  async unfreezeAccount(request: accountsV1.StaffActionRequest): Promise<accountsV1.User> {
    return toUser(
      await this.staff.unfreeze(
        requireUuid(request.userId, 'userId'),
        requireUuid(request.actorId, 'actorId'),
        required(request.note.trim(), 'note'),
        request.ticketId || null,
      ),
    );
  }

  async freezeForSecurityTicket(
    request: accountsV1.SecurityFreezeRequest,
  ): Promise<accountsV1.User> {
    return toUser(
      await this.staff.freezeForSecurityTicket(
        requireUuid(request.userId, 'userId'),
        requireUuid(request.ticketId, 'ticketId'),
        request.note.slice(0, 2000),
      ),
    );
  }

  async suspendAccount(request: accountsV1.SuspendAccountRequest): Promise<accountsV1.Suspension> {
    const input = parseInput(suspendInput, {
      rule: request.rule,
      evidence: request.evidence,
      reason: request.reason,
    });
    return toSuspension(
      await this.staff.suspend(
        requireUuid(request.userId, 'userId'),
        requireUuid(request.actorId, 'actorId'),
        input,
      ),
    );
  }

  async getSuspension(request: accountsV1.GetUserRequest): Promise<accountsV1.Suspension> {
    const suspension = await this.staff.currentSuspension(requireUuid(request.userId, 'userId'));
    if (!suspension) {
      throw ProblemError.notFound('This account has never been suspended.');
    }
    return toSuspension(suspension);
  }

  async appealSuspension(
    request: accountsV1.AppealSuspensionRequest,
  ): Promise<accountsV1.Suspension> {
    const { statement } = parseInput(
      z.object({ statement: z.string().trim().min(1, 'is required').max(5000) }),
      { statement: request.statement },
    );
    return toSuspension(await this.staff.appeal(requireUuid(request.userId, 'userId'), statement));
  }

  async decideAppeal(request: accountsV1.DecideAppealRequest): Promise<accountsV1.Suspension> {
    if (request.decision !== 'upheld' && request.decision !== 'overturned') {
      throw ProblemError.badRequest('decision must be upheld or overturned.');
    }
    return toSuspension(
      await this.staff.decideAppeal(
        requireUuid(request.suspensionId, 'suspensionId'),
        requireUuid(request.actorId, 'actorId'),
        request.decision,
        required(request.note.trim(), 'note'),
        request.ticketId || null,
      ),
    );
  }

  async setRoles(request: accountsV1.SetRolesRequest): Promise<accountsV1.User> {
    return toUser(
      await this.staff.setRoles(
        requireUuid(request.userId, 'userId'),
        requireUuid(request.actorId, 'actorId'),
        request.roles,
        request.note.trim(),
      ),
    );
  }
}
