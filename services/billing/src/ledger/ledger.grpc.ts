import { Controller, UseInterceptors } from '@nestjs/common';
import { billingV1, ProblemError } from '@fluxnote/contracts';
import { LedgerService, type CreditGrant } from './ledger.service';
import type { ReservationEntity } from './reservation.entity';
import { OpenAccountOnFirstSight } from '../subscriptions/account-opener';

function toReservation(r: ReservationEntity & { priorityLane?: boolean }): billingV1.Reservation {
  return {
    key: r.key,
    userId: r.userId ?? '',
    status: r.status,
    credits: { video: r.videoCredits, image: r.imageCredits },
    expiresAt: r.expiresAt.toISOString(),
    priorityLane: r.priorityLane ?? false,
  };
}

function toGrant(g: CreditGrant): billingV1.CreditGrant {
  return {
    key: g.key,
    userId: g.userId,
    credits: g.credits,
    reason: g.reason,
    agentId: g.agentId ?? '',
    createdAt: g.createdAt.toISOString(),
  };
}

@Controller()
@UseInterceptors(OpenAccountOnFirstSight)
@billingV1.LedgerServiceControllerMethods()
export class LedgerGrpcController implements billingV1.LedgerServiceController {
  constructor(private readonly ledger: LedgerService) {}

  async reserve(request: billingV1.ReserveRequest): Promise<billingV1.Reservation> {
    const credits = { video: request.credits?.video ?? 0, image: request.credits?.image ?? 0 };
    return toReservation(
      await this.ledger.reserve(request.key, request.userId, credits, request.ttlSeconds),
    );
  }

  async commit(request: billingV1.SettleRequest): Promise<billingV1.Reservation> {
    return toReservation(await this.ledger.commit(request.key, request.reason));
  }

  async release(request: billingV1.SettleRequest): Promise<billingV1.Reservation> {
    return toReservation(await this.ledger.release(request.key, request.reason));
  }

  async getUsage(request: billingV1.GetUsageRequest): Promise<billingV1.Usage> {
    const usage = await this.ledger.usage(request.userId);
    return {
      plan: usage.plan,
      periodStart: usage.periodStart.toISOString(),
      periodEnd: usage.periodEnd.toISOString(),
      video: usage.pools.video,
      image: usage.pools.image,
    };
  }

  async grant(request: billingV1.GrantRequest): Promise<billingV1.CreditGrant> {
    if (request.key.length === 0) {
      throw ProblemError.badRequest('key is required.', { field: 'key' });
    }
    return toGrant(
      await this.ledger.grant(
        request.key,
        request.userId,
        { video: request.credits?.video ?? 0, image: request.credits?.image ?? 0 },
        request.reason,
        request.agentId || null,
      ),
    );
  }

  async refundJobCredits(
    request: billingV1.RefundJobCreditsRequest,
  ): Promise<billingV1.CreditGrant> {
    return toGrant(
      await this.ledger.refundJobCredits(request.key, request.reason, request.agentId || null),
    );
  }
}
