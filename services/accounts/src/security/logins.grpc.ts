import { Controller } from '@nestjs/common';
import { z } from 'zod';
import { accountsV1, isUuid, ProblemError, parseInput } from '@fluxnote/contracts';
import { AlsoServedAs } from '@fluxnote/grpc';
import {
  password,
  required,
  signUpInput,
  toLogInResult,
  toSession,
  toUser,
} from '../users/account-messages';
import { GoogleSignInService } from './google-sign-in.service';
import { LoginHistory, loginClient } from './login-history';
import { LoginService } from './login.service';
import { RecoveryService } from './recovery.service';

/** `LoginsService`: log-ins judged for risk, and their recovery. */
@Controller()
@AlsoServedAs(accountsV1.ACCOUNTS_SERVICE_NAME)
@accountsV1.LoginsServiceControllerMethods()
export class LoginsGrpcController implements accountsV1.LoginsServiceController {
  constructor(
    private readonly logins: LoginService,
    private readonly google: GoogleSignInService,
    private readonly recovery: RecoveryService,
    private readonly history: LoginHistory,
  ) {}

  async logIn(request: accountsV1.LogInRequest): Promise<accountsV1.LogInResult> {
    if (!request.email || !request.password) {
      throw ProblemError.badRequest('email and password are required.');
    }
    return toLogInResult(
      await this.logins.logIn(request.email, request.password, loginClient(request.client)),
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
}
