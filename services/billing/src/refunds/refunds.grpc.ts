import { Controller, UseInterceptors } from '@nestjs/common';
import { billingPaymentsV1 as v1 } from '@fluxnote/contracts';
import { AlsoServedAs } from '@fluxnote/grpc';
import { AccountStanding } from '@fluxnote/platform';
import { decisionOut, key, refundKind, refundOut } from '../payments/payment-messages';
import { OpenAccountOnFirstSight } from '../subscriptions/account-opener';
import { RefundService } from './refund.service';

/** `RefundsService`: a refund policy's quote and decision, a user's refunds, an agent's goodwill refund. */
@Controller()
@UseInterceptors(OpenAccountOnFirstSight)
@AlsoServedAs(v1.PAYMENTS_SERVICE_NAME)
@v1.RefundsServiceControllerMethods()
export class RefundsGrpcController implements v1.RefundsServiceController {
  constructor(
    private readonly refunds: RefundService,
    private readonly standing: AccountStanding,
  ) {}

  async quoteRefund(request: v1.RefundRequest): Promise<v1.RefundDecision> {
    return decisionOut(
      await this.refunds.quote(request.userId, {
        chargeId: request.chargeId,
        reason: request.reason,
        kind: refundKind(request.kind),
      }),
    );
  }

  async requestRefund(request: v1.RefundRequest): Promise<v1.Refund> {
    await this.standing.assertActive(request.userId, 'Refund requests');
    return refundOut(
      await this.refunds.request(
        request.userId,
        { chargeId: request.chargeId, reason: request.reason, kind: refundKind(request.kind) },
        key(request.idempotencyKey),
      ),
    );
  }

  async listRefunds(request: v1.UserRef): Promise<v1.RefundList> {
    return { refunds: (await this.refunds.list(request.userId)).map(refundOut) };
  }

  async grantGoodwillRefund(request: v1.GoodwillRefundRequest): Promise<v1.Refund> {
    return refundOut(
      await this.refunds.goodwill(
        request.agentId,
        request.userId,
        { chargeId: request.chargeId, reason: request.reason, amount: request.amount },
        key(request.idempotencyKey),
      ),
    );
  }
}
