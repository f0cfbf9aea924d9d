import { Body, Controller, HttpCode, Post, Req } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import type { Request } from 'express';
import { z } from 'zod';
import type { accountsV1 } from '@fluxnote/contracts';
import { ServiceClients } from '../clients/service-clients';
import { validate } from '../http/validate';
import { clientInfo } from '../http/client-info';
import { userView, type UserView } from './views';

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
const refreshBody = z.object({ refreshToken: z.string().min(1).max(200) });

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

@ApiTags('accounts')
@Controller('v1/auth')
export class AuthController {
  constructor(private readonly clients: ServiceClients) {}

  @Post('signup')
  @HttpCode(201)
  async signUp(@Body() body: unknown, @Req() request: Request): Promise<TokensView> {
    const input = validate(signUpBody, body);
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

  @Post('login')
  @HttpCode(200)
  async logIn(@Body() body: unknown, @Req() request: Request): Promise<TokensView> {
    const input = validate(logInBody, body);
    const result = await this.clients.accounts.logIn({
      email: input.email,
      password: input.password,
      client: { ...clientInfo(request), deviceId: input.deviceId ?? '' },
    });
    return tokens(result.session!);
  }

  @Post('refresh')
  @HttpCode(200)
  async refresh(@Body() body: unknown): Promise<TokensView> {
    return tokens(await this.clients.accounts.refresh(validate(refreshBody, body)));
  }

  @Post('logout')
  @HttpCode(204)
  async logOut(@Body() body: unknown): Promise<void> {
    await this.clients.accounts.logOut(validate(refreshBody, body));
  }
}
