import { Body, Controller, Inject, Param, Query, UseGuards } from '@nestjs/common';
import type { Pool } from 'pg';
import { Clock, PlatformClock, movePlatformClock, parseIsoDuration } from '@fluxnote/clock';
import { isProduction } from '@fluxnote/config';
import { ProblemError } from '@fluxnote/contracts';
import { AuthGuard, CurrentCaller } from '../auth/auth.guard';
import type { Caller } from '../auth/token-verifier';
import { suspensionView, type SuspensionView } from './account.controller';
import { ServiceClients } from '../clients/service-clients';
import { GATEWAY_CONFIG, type GatewayConfig } from '../config/gateway.config';
import { validate } from '../http/validate';
import { PLATFORM_DB } from './platform-db';
import { deliveryView, userView, type UserView } from './views';
import { EndsSessions } from '../auth/ends-sessions';
import { Endpoint } from '../api/endpoint';
import {
  adminOperations as api,
  clockBody,
  deadLetterQuery,
  incidentBody,
  rolesBody,
  simulatorBody,
  suspendBody,
  type IncidentView,
  type SimulatorView,
} from './admin.api';

/** Operations endpoints. The clock and the simulator exist only outside production. */
@UseGuards(AuthGuard)
@Controller()
export class AdminController {
  constructor(
    private readonly clients: ServiceClients,
    @Inject(PLATFORM_DB) private readonly db: Pool,
    @Inject(GATEWAY_CONFIG) private readonly config: GatewayConfig,
    private readonly clock: Clock,
  ) {}

  /** Deliveries that failed every attempt (the notifications dead-letter record), newest first. */
  @Endpoint(api.deadLetters)
  async deadLetters(
    @Query('limit') limit?: string,
  ): Promise<{ items: ReturnType<typeof deliveryView>[] }> {
    const parsed = validate(deadLetterQuery, { limit });
    const list = await this.clients.deliveries.listDeadDeliveries({ limit: parsed.limit });
    return { items: list.deliveries.map(deliveryView) };
  }

  @Endpoint(api.moveClock)
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

  @Endpoint(api.setSimulator)
  async setSimulator(@Param('model') model: string, @Body() body: unknown): Promise<SimulatorView> {
    this.refuseInProduction('model simulator');
    const input = validate(simulatorBody, body);
    const saved = await this.clients.providers.setSimulatorModel({
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
  @Endpoint(api.declareIncident)
  async declareIncident(
    @CurrentCaller() caller: Caller,
    @Body() body: unknown,
  ): Promise<IncidentView> {
    const input = validate(incidentBody, body);
    const incident = await this.clients.incidents.declareIncident({
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
  @Endpoint(api.suspend)
  async suspend(
    @CurrentCaller() caller: Caller,
    @Param('id') userId: string,
    @Body() body: unknown,
  ): Promise<SuspensionView> {
    const input = validate(suspendBody, body);
    return suspensionView(
      await this.clients.standing.suspendAccount({
        userId,
        actorId: caller.id,
        rule: input.rule,
        evidence: input.evidence,
        reason: input.reason ?? '',
      }),
    );
  }

  /** Sets a person's roles (`user` is always kept); the new roles are in their next access token. */
  @Endpoint(api.setRoles)
  async setRoles(
    @CurrentCaller() caller: Caller,
    @Param('id') userId: string,
    @Body() body: unknown,
  ): Promise<UserView> {
    const input = validate(rolesBody, body);
    return userView(
      await this.clients.standing.setRoles({
        userId,
        actorId: caller.id,
        roles: input.roles,
        note: input.note ?? '',
      }),
    );
  }
}
