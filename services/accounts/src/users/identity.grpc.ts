import { Controller } from '@nestjs/common';
import { z } from 'zod';
import { accountsV1, isUuid, ProblemError, parseInput, requireUuid } from '@fluxnote/contracts';
import { LoginHistory, loginClient } from '../security/login-history';
import { GoogleSignInService } from '../security/google-sign-in.service';
import { LoginService, type LoginResult } from '../security/login.service';
import { RecoveryService } from '../security/recovery.service';
import { Sessions, type SessionView } from '../sessions/sessions';
import { DeletionService } from '../deletion/deletion.service';
import { IdentityService } from './identity.service';
import { StaffActionsService, type Suspension } from './staff-actions.service';
import type { UserEntity } from './user.entity';

const password = z
  .string()
  .min(8, 'must be at least 8 characters')
  .max(256, 'must be at most 256 characters');

const signUpInput = z.object({
  email: z.string().trim().email('is not an email address').max(254),
  password,
  brand: z.enum(['fluxnote', 'flux-kontext']),
  country: z
    .string()
    .regex(/^[A-Z]{2}$/, 'must be an ISO 3166-1 alpha-2 code such as US or IN')
    .nullable(),
});

function required(value: string, name: string): string {
  if (!value) {
    throw ProblemError.badRequest(`${name} is required.`);
  }
  return value;
}

function toUser(user: UserEntity): accountsV1.User {
  return {
    id: user.id,
    email: user.email,
    brand: user.brand,
    country: user.country ?? '',
    roles: user.roles,
    status: user.status,
    createdAt: user.createdAt.toISOString(),
  };
}

function toSession(session: SessionView): accountsV1.Session {
  return {
    user: toUser(session.user),
    accessToken: session.accessToken,
    refreshToken: session.refreshToken,
    expiresIn: session.expiresIn,
  };
}

function toLogInResult(result: LoginResult): accountsV1.LogInResult {
  return result.kind === 'session'
    ? { session: toSession(result.session), challengeId: '', challengeExpiresAt: '' }
    : { challengeId: result.challengeId, challengeExpiresAt: result.expiresAt.toISOString() };
}

function toSuspension(s: Suspension): accountsV1.Suspension {
  return {
    id: s.id,
    userId: s.userId,
    rule: s.rule,
    evidence: s.evidence,
    reason: s.reason,
    createdAt: s.createdAt.toISOString(),
    appealStatement: s.appeal?.statement ?? '',
    appealedAt: s.appeal?.appealedAt.toISOString() ?? '',
    decideBy: s.appeal?.decideBy.toISOString() ?? '',
    decision: s.decision?.decision ?? '',
    decisionNote: s.decision?.note ?? '',
    decidedAt: s.decision?.decidedAt.toISOString() ?? '',
  };
}

const suspendInput = z.object({
  rule: z.string().trim().min(1, 'is required').max(200),
  evidence: z
    .array(z.string().trim().min(1).max(200))
    .min(1, 'must cite at least one generation or action')
    .max(50),
  /** Optional: without one, the user reads which rule and how much was cited. */
  reason: z.string().trim().max(2000).optional(),
});

@Controller()
@accountsV1.AccountsServiceControllerMethods()
export class IdentityGrpcController implements accountsV1.AccountsServiceController {
  constructor(
    private readonly identity: IdentityService,
    private readonly logins: LoginService,
    private readonly google: GoogleSignInService,
    private readonly recovery: RecoveryService,
    private readonly history: LoginHistory,
    private readonly sessions: Sessions,
    private readonly staff: StaffActionsService,
    private readonly deletions: DeletionService,
  ) {}

  async deleteAccount(request: accountsV1.GetUserRequest): Promise<accountsV1.AccountDeletion> {
    const deletion = await this.deletions.request(requireUuid(request.userId, 'userId'));
    return { deletionId: deletion.deletionId, purgeBy: deletion.purgeBy.toISOString() };
  }

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

  async signUp(request: accountsV1.SignUpRequest): Promise<accountsV1.Session> {
    const client = loginClient(request.client);
    const input = parseInput(signUpInput, {
      email: request.email,
      password: request.password,
      brand: request.brand || 'fluxnote',
      country: request.country ? request.country.toUpperCase() : client.country,
    });
    return toSession(await this.identity.signUp({ ...input, client }));
  }

  async logIn(request: accountsV1.LogInRequest): Promise<accountsV1.LogInResult> {
    if (!request.email || !request.password) {
      throw ProblemError.badRequest('email and password are required.');
    }
    return toLogInResult(
      await this.logins.logIn(request.email, request.password, loginClient(request.client)),
    );
  }

  async googleSignIn(request: accountsV1.GoogleSignInRequest): Promise<accountsV1.LogInResult> {
    const { brand } = parseInput(z.object({ brand: signUpInput.shape.brand }), {
      brand: request.brand || 'fluxnote',
    });
    return toLogInResult(
      await this.google.signIn(
        required(request.idToken.trim(), 'idToken'),
        brand,
        loginClient(request.client),
      ),
    );
  }

  async verifyLogin(request: accountsV1.VerifyLoginRequest): Promise<accountsV1.Session> {
    if (!isUuid(request.challengeId)) {
      throw ProblemError.badRequest('challengeId must be the id from the log-in answer.');
    }
    const code = required(request.code.trim(), 'code');
    return toSession(
      await this.logins.verifyCode(request.challengeId, code, loginClient(request.client)),
    );
  }

  async forgotPassword(
    request: accountsV1.ForgotPasswordRequest,
  ): Promise<accountsV1.ForgotPasswordResult> {
    await this.recovery.forgotPassword(required(request.email, 'email'));
    return {};
  }

  async resetPassword(
    request: accountsV1.ResetPasswordRequest,
  ): Promise<accountsV1.ResetPasswordResult> {
    const newPassword = parseInput(z.object({ newPassword: password }), {
      newPassword: request.newPassword,
    }).newPassword;
    await this.recovery.resetPassword(required(request.token, 'token'), newPassword);
    return {};
  }

  async unlockLogin(request: accountsV1.UnlockLoginRequest): Promise<accountsV1.UnlockLoginResult> {
    await this.recovery.unlock(required(request.token, 'token'));
    return {};
  }

  async listLogins(request: accountsV1.ListLoginsRequest): Promise<accountsV1.ListLoginsResult> {
    const limit = Math.min(Math.max(request.limit || 20, 1), 100);
    const items = await this.history.recent(request.userId, limit);
    return {
      items: items.map((login) => ({
        id: login.id,
        at: login.at.toISOString(),
        outcome: login.outcome,
        device: login.device,
        ip: login.ip ?? '',
        country: login.country ?? '',
      })),
    };
  }

  async reportLoginNotMe(request: accountsV1.ReportLoginNotMeRequest): Promise<accountsV1.User> {
    if (!isUuid(request.loginId)) {
      throw ProblemError.notFound('No such log-in on your account.');
    }
    return toUser(await this.recovery.notMe(request.userId, request.loginId));
  }

  async listRevocations(
    request: accountsV1.ListRevocationsRequest,
  ): Promise<accountsV1.ListRevocationsResult> {
    const items = await this.sessions.revocationsAfter(request.afterSeq);
    return {
      items: items.map((r) => ({
        seq: r.seq,
        userId: r.userId,
        sessionId: r.sessionId,
        endedAt: r.endedAt.toISOString(),
        expiresAt: r.expiresAt.toISOString(),
      })),
    };
  }

  async listRestrictedAccounts(
    request: accountsV1.ListRestrictedAccountsRequest,
  ): Promise<accountsV1.ListRestrictedAccountsResult> {
    if (request.limit < 0 || request.limit > 1000) {
      throw ProblemError.badRequest('limit is 1 to 1000 (0 for 500).', { field: 'limit' });
    }
    const accounts = await this.identity.restricted(
      request.afterUserId ? requireUuid(request.afterUserId, 'afterUserId') : null,
      request.limit || 500,
    );
    return {
      items: accounts.map((a) => ({
        userId: a.userId,
        status: a.status,
        changedAt: a.changedAt.toISOString(),
      })),
    };
  }

  async refresh(request: accountsV1.RefreshRequest): Promise<accountsV1.Session> {
    return toSession(await this.sessions.rotate(required(request.refreshToken, 'refreshToken')));
  }

  async logOut(request: accountsV1.LogOutRequest): Promise<accountsV1.LogOutResult> {
    if (request.refreshToken) {
      await this.sessions.logOut(request.refreshToken);
    }
    return {};
  }

  async getUser(request: accountsV1.GetUserRequest): Promise<accountsV1.User> {
    return toUser(await this.identity.getUser(request.userId));
  }
}
