import { Controller, Get, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { ProblemError } from '@fluxnote/contracts';
import { AuthGuard, CurrentCaller } from '../auth/auth.guard';
import type { Caller } from '../auth/token-verifier';
import { ServiceClients } from '../clients/service-clients';
import { userView, type UserView } from './views';

interface PoolView {
  allowance: number;
  used: number;
  reserved: number;
  remaining: number;
  packCredits: number;
}

@ApiTags('accounts')
@ApiBearerAuth()
@UseGuards(AuthGuard)
@Controller('v1')
export class AccountController {
  constructor(private readonly clients: ServiceClients) {}

  @Get('me')
  async me(@CurrentCaller() caller: Caller): Promise<UserView & { plan: string | null }> {
    const [user, usage] = await Promise.all([
      this.clients.accounts.getUser({ userId: caller.id }),
      this.clients.billing.getUsage({ userId: caller.id }).catch((error: unknown) => {
        if (error instanceof ProblemError && error.problem.status === 404) {
          return undefined; // the billing account is opened from the sign-up event, moments later
        }
        throw error;
      }),
    ]);
    return { ...userView(user), plan: usage?.plan ?? null };
  }

  @Get('usage')
  async usage(@CurrentCaller() caller: Caller): Promise<{
    plan: string;
    video: PoolView;
    image: PoolView;
    periodStart: string;
    periodEnd: string;
  }> {
    const usage = await this.clients.billing.getUsage({ userId: caller.id });
    return {
      plan: usage.plan,
      video: usage.video!,
      image: usage.image!,
      periodStart: usage.periodStart,
      periodEnd: usage.periodEnd,
    };
  }
}
