import { Body, Controller, Param, Query, UseGuards } from '@nestjs/common';
import { ProblemError, type accountsV1 } from '@fluxnote/contracts';
import type { z } from 'zod';
import { validate } from '../http/validate';
import { ticketView, type TicketView } from './support.controller';
import { AuthGuard, CurrentCaller } from '../auth/auth.guard';
import type { Caller } from '../auth/token-verifier';
import { ServiceClients } from '../clients/service-clients';
import { IdempotencyService } from '../idempotency/idempotency.service';
import { userView, type UserView } from './views';
import { EndsSessions } from '../auth/ends-sessions';
import { Endpoint } from '../api/endpoint';
import {
  accountOperations as api,
  appealBody,
  loginsQuery,
  type LoginView,
  type SuspensionView,
  type usageSchema,
} from './account.api';

export type { SuspensionView } from './account.api';

export function suspensionView(s: accountsV1.Suspension): SuspensionView {
  return {
    id: s.id,
    rule: s.rule,
    evidence: s.evidence,
    reason: s.reason,
    createdAt: s.createdAt,
    appeal: s.appealedAt
      ? { statement: s.appealStatement, appealedAt: s.appealedAt, decideBy: s.decideBy }
      : null,
    decision: s.decision
      ? {
          decision: s.decision as 'upheld' | 'overturned',
          note: s.decisionNote,
          decidedAt: s.decidedAt,
        }
      : null,
  };
}

function loginView(login: accountsV1.Login): LoginView {
  return {
    id: login.id,
    at: login.at,
    outcome: login.outcome,
    device: login.device,
    ip: login.ip || null,
    country: login.country || null,
  };
}

@UseGuards(AuthGuard)
@Controller()
export class AccountController {
  constructor(
    private readonly clients: ServiceClients,
    private readonly idempotency: IdempotencyService,
  ) {}

  /**
   * Deletes the account and every service's data about it within 72 hours (no
   * soft delete, no archive); sessions end now. Asking again answers the same.
   */
  @EndsSessions()
  @Endpoint(api.deleteAccount)
  async deleteAccount(
    @CurrentCaller() caller: Caller,
  ): Promise<{ status: 'deleting'; purgeBy: string }> {
    const deletion = await this.clients.accountDeletion.deleteAccount({ userId: caller.id });
    await this.idempotency.forget(caller.id);
    return { status: 'deleting', purgeBy: deletion.purgeBy };
  }

  @Endpoint(api.me)
  async me(@CurrentCaller() caller: Caller): Promise<UserView & { plan: string | null }> {
    const [user, usage] = await Promise.all([
      this.clients.users.getUser({ userId: caller.id }),
      this.clients.billing.getUsage({ userId: caller.id }).catch((error: unknown) => {
        if (error instanceof ProblemError && error.problem.status === 404) {
          return undefined; // the billing account is opened from the sign-up event, moments later
        }
        throw error;
      }),
    ]);
    return { ...userView(user), plan: usage?.plan ?? null };
  }

  @Endpoint(api.usage)
  async usage(@CurrentCaller() caller: Caller): Promise<z.infer<typeof usageSchema>> {
    const usage = await this.clients.billing.getUsage({ userId: caller.id });
    return {
      plan: usage.plan,
      video: usage.video!,
      image: usage.image!,
      periodStart: usage.periodStart,
      periodEnd: usage.periodEnd,
    };
  }

  /** Recent log-ins (and attempts) on the caller's account, newest first. */
  @Endpoint(api.logins)
  async logins(
    @CurrentCaller() caller: Caller,
    @Query() query: unknown,
  ): Promise<{ items: LoginView[] }> {
    const { limit } = validate(loginsQuery, query);
    const result = await this.clients.logins.listLogins({ userId: caller.id, limit });
    return { items: result.items.map(loginView) };
  }

  /** Locks the account at once and ends every session; the email says how to recover. */
  @EndsSessions()
  @Endpoint(api.notMe)
  async notMe(
    @CurrentCaller() caller: Caller,
    @Param('id') loginId: string,
  ): Promise<{ status: string; detail: string }> {
    const user = await this.clients.logins.reportLoginNotMe({ userId: caller.id, loginId });
    return {
      status: user.status,
      detail:
        'Your account is locked and every session has ended. We emailed you how to get back in: choose a new password from the link.',
    };
  }

  /** Why the account is suspended (rule, cited generations) and where its appeal stands. */
  @Endpoint(api.suspension)
  async suspension(@CurrentCaller() caller: Caller): Promise<SuspensionView> {
    return suspensionView(await this.clients.standing.getSuspension({ userId: caller.id }));
  }

  /**
   * One appeal per suspension (a second is 409); a senior agent decides within 48 hours. 201 with
   * the appeal's ticket, which links the suspension (`suspensionId`).
   */
  @Endpoint(api.appeal)
  async appeal(@CurrentCaller() caller: Caller, @Body() body: unknown): Promise<TicketView> {
    const { statement } = validate(appealBody, body);
    await this.clients.standing.appealSuspension({ userId: caller.id, statement });
    // support opens it from accounts' record now if the event has not come yet: one either way
    return ticketView(await this.clients.tickets.openAppealTicket({ userId: caller.id }));
  }
}
