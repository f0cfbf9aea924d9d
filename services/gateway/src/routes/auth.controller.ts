import { Body, Controller, HttpCode, Post, Req, Res } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { z } from 'zod';
import type { accountsV1 } from '@fluxnote/contracts';
import { ServiceClients } from '../clients/service-clients';
import { validate } from '../http/validate';
import { RequestLimits } from '../http/request-limits';
import { clientInfo } from '../http/client-info';
import { userView, type UserView } from './views';
import { EndsSessions } from '../auth/ends-sessions';

const signUpBody = z.object({
  email: z.string().max(254),
  password: z.string().max(256),
  country: z.string().length(2).optional(),
  brand: z.enum(['fluxnote', 'flux-kontext']).optional(),
});
const logInBody = z.object({
  email: z.string().max(254),
  password: z.string().max(256),
  deviceId: z.string().max(200).optional(),
});
const googleBody = z.object({
  idToken: z.string().min(1).max(8192),
  deviceId: z.string().max(200).optional(),
  brand: z.enum(['fluxnote', 'flux-kontext']).optional(),
});
const refreshBody = z.object({ refreshToken: z.string().min(1).max(200) });
const verifyBody = z.object({
  challengeId: z.string().uuid('must be the challengeId from the log-in answer'),
  code: z.string().regex(/^\s*\d{6}\s*$/, 'must be the six-digit code from the email'),
});
const forgotBody = z.object({ email: z.string().min(1).max(254) });
const resetBody = z.object({
  token: z.string().min(1).max(200),
  newPassword: z.string().max(256),
});
const unlockBody = z.object({ token: z.string().min(1).max(200) });

export interface ChallengeView {
  status: 'verification_required';
  challengeId: string;
  expiresAt: string;
  detail: string;
}

export interface TokensView {
  user: UserView;
  accessToken: string;
  refreshToken: string;
  expiresIn: number;
}

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

@ApiTags('accounts')
@Controller('v1/auth')
export class AuthController {
  constructor(
    private readonly clients: ServiceClients,
    private readonly limits: RequestLimits,
  ) {}

  @Post('signup')
  @HttpCode(201)
  async signUp(@Body() body: unknown, @Req() request: Request): Promise<TokensView> {
    const input = validate(signUpBody, body);
    await this.limits.take('signup', { address: clientInfo(request).ip });
    return tokens(
      await this.clients.accounts.signUp({
        email: input.email,
        password: input.password,
        country: input.country?.toUpperCase() ?? '',
        brand: input.brand ?? 'fluxnote',
        client: clientInfo(request),
      }),
    );
  }

  /** 200 with tokens, or 202 when a code was emailed (a new device or an unusual country). */
  @Post('login')
  async logIn(
    @Body() body: unknown,
    @Req() request: Request,
    @Res({ passthrough: true }) response: Response,
  ): Promise<TokensView | ChallengeView> {
    const input = validate(logInBody, body);
    const result = await this.clients.accounts.logIn({
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
  @Post('google')
  async google(
    @Body() body: unknown,
    @Req() request: Request,
    @Res({ passthrough: true }) response: Response,
  ): Promise<TokensView | ChallengeView> {
    const input = validate(googleBody, body);
    const result = await this.clients.accounts.googleSignIn({
      idToken: input.idToken,
      brand: input.brand ?? '',
      client: { ...clientInfo(request), deviceId: input.deviceId ?? '' },
    });
    return logInAnswer(result, response);
  }

  @Post('login/verify')
  @HttpCode(200)
  async verify(@Body() body: unknown, @Req() request: Request): Promise<TokensView> {
    const input = validate(verifyBody, body);
    return tokens(
      await this.clients.accounts.verifyLogin({
        challengeId: input.challengeId,
        code: input.code.trim(),
        client: clientInfo(request),
      }),
    );
  }

  /** Always 202, whether or not the account exists (no way to probe for accounts). */
  @Post('password/forgot')
  @HttpCode(202)
  async forgot(
    @Body() body: unknown,
    @Req() request: Request,
  ): Promise<{ status: 'sent_if_account_exists' }> {
    const input = validate(forgotBody, body);
    await this.limits.take('password-forgot', {
      address: clientInfo(request).ip,
      email: input.email,
    });
    await this.clients.accounts.forgotPassword(input);
    return { status: 'sent_if_account_exists' };
  }

  @EndsSessions()
  @Post('password/reset')
  @HttpCode(204)
  async reset(@Body() body: unknown): Promise<void> {
    await this.clients.accounts.resetPassword(validate(resetBody, body));
  }

  /** The link from the "too many attempts" email. */
  @Post('unlock')
  @HttpCode(204)
  async unlock(@Body() body: unknown): Promise<void> {
    await this.clients.accounts.unlockLogin(validate(unlockBody, body));
  }

  @EndsSessions()
  @Post('refresh')
  @HttpCode(200)
  async refresh(@Body() body: unknown): Promise<TokensView> {
    return tokens(await this.clients.accounts.refresh(validate(refreshBody, body)));
  }

  @EndsSessions()
  @Post('logout')
  @HttpCode(204)
  async logOut(@Body() body: unknown): Promise<void> {
    await this.clients.accounts.logOut(validate(refreshBody, body));
  }
}
