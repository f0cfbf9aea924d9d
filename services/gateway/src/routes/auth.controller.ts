import { Body, Controller, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import type { accountsV1 } from '@fluxnote/contracts';
import { ServiceClients } from '../clients/service-clients';
import { validate } from '../http/validate';
import { RequestLimits } from '../http/request-limits';
import { clientInfo } from '../http/client-info';
import { userView } from './views';
import { EndsSessions } from '../auth/ends-sessions';
import { Endpoint } from '../api/endpoint';
import {
  authOperations as api,
  forgotBody,
  googleBody,
  logInBody,
  refreshBody,
  resetBody,
  signUpBody,
  unlockBody,
  verifyBody,
  type ChallengeView,
  type TokensView,
} from './auth.api';

function tokens(session: accountsV1.Session): TokensView {
  return {
    user: userView(session.user!),
    accessToken: session.accessToken,
    refreshToken: session.refreshToken,
    expiresIn: session.expiresIn,
  };
}

function logInAnswer(
  result: accountsV1.LogInResult,
  response: Response,
): TokensView | ChallengeView {
  if (result.session) {
    response.status(200);
    return tokens(result.session);
  }
  response.status(202);
  return {
    status: 'verification_required',
    challengeId: result.challengeId,
    expiresAt: result.challengeExpiresAt,
    detail:
      'We emailed you a six-digit code because this log-in is from a new device or place. Send it to /v1/auth/login/verify.',
  };
}

@Controller()
export class AuthController {
  constructor(
    private readonly clients: ServiceClients,
    private readonly limits: RequestLimits,
  ) {}

  @Endpoint(api.signUp)
  async signUp(@Body() body: unknown, @Req() request: Request): Promise<TokensView> {
    const input = validate(signUpBody, body);
    await this.limits.take('signup', { address: clientInfo(request).ip });
    return tokens(
      await this.clients.users.signUp({
        email: input.email,
        password: input.password,
        country: input.country?.toUpperCase() ?? '',
        brand: input.brand ?? 'fluxnote',
        client: clientInfo(request),
      }),
    );
  }

  /** 200 with tokens, or 202 when a code was emailed (a new device or an unusual country). */
  @Endpoint(api.logIn)
  async logIn(
    @Body() body: unknown,
    @Req() request: Request,
    @Res({ passthrough: true }) response: Response,
  ): Promise<TokensView | ChallengeView> {
    const input = validate(logInBody, body);
    const result = await this.clients.logins.logIn({
      email: input.email,
      password: input.password,
      client: { ...clientInfo(request), deviceId: input.deviceId ?? '' },
    });
    return logInAnswer(result, response);
  }

  /**
   * Sign-in with a Google ID token: 200 with tokens (the account is created or
   * linked by its verified email the first time), or 202 with a challenge as
   * for a password log-in.
   */
  @Endpoint(api.googleSignIn)
  async google(
    @Body() body: unknown,
    @Req() request: Request,
    @Res({ passthrough: true }) response: Response,
  ): Promise<TokensView | ChallengeView> {
    const input = validate(googleBody, body);
    const result = await this.clients.logins.googleSignIn({
      idToken: input.idToken,
      brand: input.brand ?? '',
      client: { ...clientInfo(request), deviceId: input.deviceId ?? '' },
    });
    return logInAnswer(result, response);
  }

  @Endpoint(api.verifyLogin)
  async verify(@Body() body: unknown, @Req() request: Request): Promise<TokensView> {
    const input = validate(verifyBody, body);
    return tokens(
      await this.clients.logins.verifyLogin({
        challengeId: input.challengeId,
        code: input.code.trim(),
        client: clientInfo(request),
      }),
    );
  }

  /** Always 202, whether or not the account exists (no way to probe for accounts). */
  @Endpoint(api.forgotPassword)
  async forgot(
    @Body() body: unknown,
    @Req() request: Request,
  ): Promise<{ status: 'sent_if_account_exists' }> {
    const input = validate(forgotBody, body);
    await this.limits.take('password-forgot', {
      address: clientInfo(request).ip,
      email: input.email,
    });
    await this.clients.logins.forgotPassword(input);
    return { status: 'sent_if_account_exists' };
  }

  @EndsSessions()
  @Endpoint(api.resetPassword)
  async reset(@Body() body: unknown): Promise<void> {
    await this.clients.logins.resetPassword(validate(resetBody, body));
  }

  /** The link from the "too many attempts" email. */
  @Endpoint(api.unlock)
  async unlock(@Body() body: unknown): Promise<void> {
    await this.clients.logins.unlockLogin(validate(unlockBody, body));
  }

  @EndsSessions()
  @Endpoint(api.refresh)
  async refresh(@Body() body: unknown): Promise<TokensView> {
    return tokens(await this.clients.sessions.refresh(validate(refreshBody, body)));
  }

  @EndsSessions()
  @Endpoint(api.logOut)
  async logOut(@Body() body: unknown): Promise<void> {
    await this.clients.sessions.logOut(validate(refreshBody, body));
  }
}
