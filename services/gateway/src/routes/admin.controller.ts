import {
  Body,
  Controller,
  Get,
  HttpCode,
  Inject,
  Param,
  Post,
  Put,
  Query,
  UseGuards,
} from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import type { Pool } from 'pg';
import { z } from 'zod';
import { Clock, PlatformClock, movePlatformClock, parseIsoDuration } from '@fluxnote/clock';
import { isProduction } from '@fluxnote/config';
import { ProblemError } from '@fluxnote/contracts';
import { AuthGuard, CurrentCaller, Roles } from '../auth/auth.guard';
import type { Caller } from '../auth/token-verifier';
import { suspensionView, type SuspensionView } from './account.controller';
import { ServiceClients } from '../clients/service-clients';
import { GATEWAY_CONFIG, type GatewayConfig } from '../config/gateway.config';
import { validate } from '../http/validate';
import { PLATFORM_DB } from './platform-db';
import { deliveryView, userView, type UserView } from './views';
import { EndsSessions } from '../auth/ends-sessions';

const deadLetterQuery = z.object({
  limit: z.coerce.number().int().min(1).max(500).default(100),
});

const clockBody = z.union([
  z.object({ now: z.string().datetime({ offset: true }) }).strict(),
  z
    .object({ advance: z.string().regex(/^P/, 'must be an ISO 8601 duration such as P10D') })
    .strict(),
]);

const simulatorBody = z.object({
  failure: z.enum(['provider_5xx', 'timeout', 'crash', 'output_blocked']).nullable(),
  latencyMs: z.number().int().min(0).max(900_000).optional(),
});

const incidentBody = z.object({
  model: z.string().min(1).max(100),
  message: z.string().min(1).max(2000),
  /** When the fix is expected: a time with its offset, or a duration from now (`PT2H`). */
  eta: z.string().max(64).optional(),
  alternative: z.string().min(1).max(100).optional(),
});

export interface IncidentView {
  id: string;
  model: string;
  message: string;
  eta: string | null;
  alternative: string | null;
  declaredAt: string;
  affectedUsers: number;
}

const suspendBody = z.object({
  rule: z.string().max(200),
  evidence: z.array(z.string().max(200)).max(50),
  /** What the user reads; without one, it names the rule and the citations (API.md's body). */
  reason: z.string().max(2000).optional(),
});

const rolesBody = z.object({
  roles: z.array(z.enum(['user', 'agent', 'senior_agent', 'admin'])).max(4),
  note: z.string().max(500).optional(),
});

/** Operations endpoints. The clock and the simulator exist only outside production. */
@ApiTags('operations')
@ApiBearerAuth()
@UseGuards(AuthGuard)
@Controller('v1/admin')
@Roles('admin')
export class AdminController {
  constructor(
    private readonly clients: ServiceClients,
    @Inject(PLATFORM_DB) private readonly db: Pool,
    @Inject(GATEWAY_CONFIG) private readonly config: GatewayConfig,
    private readonly clock: Clock,
  ) {}

  /** Deliveries that failed every attempt (the notifications dead-letter record), newest first. */
  @Get('notifications/dead-letters')
  async deadLetters(
    @Query('limit') limit?: string,
  ): Promise<{ items: ReturnType<typeof deliveryView>[] }> {
    const parsed = validate(deadLetterQuery, { limit });
    const list = await this.clients.notifications.listDeadDeliveries({ limit: parsed.limit });
    return { items: list.deliveries.map(deliveryView) };
  }

  @Post('clock')
  @HttpCode(200)
  async moveClock(@Body() body: unknown): Promise<{ now: string }> {
    this.refuseInProduction('clock');
    const input = validate(clockBody, body);
    let change: { now: Date } | { advanceMs: number };
    if ('now' in input) {
      change = { now: new Date(input.now) };
    } else {
      try {
        change = { advanceMs: parseIsoDuration(input.advance) };
      } catch (error) {
        throw ProblemError.badRequest((error as Error).message, { field: 'advance' });
      }
    }
    // The gateway answers once its own clock has heard the move, so the caller's next
    // request (a token's expiry, say) is judged at the moved time.
    const now =
      this.clock instanceof PlatformClock
        ? await this.clock.move(this.db, change)
        : await movePlatformClock(this.db, change);
    return { now: now.toISOString() };
  }

  @Put('simulator/models/:model')
  async setSimulator(
    @Param('model') model: string,
    @Body() body: unknown,
  ): Promise<{ model: string; failure: string | null; latencyMs: number }> {
    this.refuseInProduction('model simulator');
    const input = validate(simulatorBody, body);
    const saved = await this.clients.generation.setSimulatorModel({
      model,
      failure: input.failure ?? undefined,
      latencyMs: input.latencyMs,
    });
    return { model: saved.model, failure: saved.failure ?? null, latencyMs: saved.latencyMs };
  }

  private refuseInProduction(what: string): void {
    if (isProduction(this.config)) {
      throw ProblemError.forbidden(`The ${what} cannot be changed in production mode.`);
    }
  }

  /** An incident on a model: everyone who used it in the last 48 hours is told once (feed, email, push). */
  @Post('incidents')
  @HttpCode(201)
  async declareIncident(
    @CurrentCaller() caller: Caller,
    @Body() body: unknown,
  ): Promise<IncidentView> {
    const input = validate(incidentBody, body);
    const incident = await this.clients.generation.declareIncident({
      actorId: caller.id,
      model: input.model,
      message: input.message,
      eta: input.eta ?? '',
      alternative: input.alternative ?? '',
    });
    return {
      id: incident.id,
      model: incident.model,
      message: incident.message,
      eta: incident.eta || null,
      alternative: incident.alternative || null,
      declaredAt: incident.declaredAt,
      affectedUsers: incident.affectedUsers,
    };
  }

  /** Suspends a user for a rule, citing generations or actions; the user is emailed both and may appeal once. */
  @EndsSessions()
  @Post('users/:id/suspend')
  @HttpCode(201)
  async suspend(
    @CurrentCaller() caller: Caller,
    @Param('id') userId: string,
    @Body() body: unknown,
  ): Promise<SuspensionView> {
    const input = validate(suspendBody, body);
    return suspensionView(
      await this.clients.accounts.suspendAccount({
        userId,
        actorId: caller.id,
        rule: input.rule,
        evidence: input.evidence,
        reason: input.reason ?? '',
      }),
    );
  }

  /** Sets a person's roles (`user` is always kept); the new roles are in their next access token. */
  @Put('users/:id/roles')
  async setRoles(
    @CurrentCaller() caller: Caller,
    @Param('id') userId: string,
    @Body() body: unknown,
  ): Promise<UserView> {
    const input = validate(rolesBody, body);
    return userView(
      await this.clients.accounts.setRoles({
        userId,
        actorId: caller.id,
        roles: input.roles,
        note: input.note ?? '',
      }),
    );
  }
}
