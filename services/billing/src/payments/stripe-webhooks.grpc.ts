import { Controller, UseInterceptors } from '@nestjs/common';
import { billingPaymentsV1 as v1 } from '@fluxnote/contracts';
import { AlsoServedAs } from '@fluxnote/grpc';
import { OpenAccountOnFirstSight } from '../subscriptions/account-opener';
import { StripeWebhooks } from './stripe-webhooks';

/** `StripeWebhooksService`: Stripe's signed event deliveries, forwarded by the gateway. */
@Controller()
@UseInterceptors(OpenAccountOnFirstSight)
@AlsoServedAs(v1.PAYMENTS_SERVICE_NAME)
@v1.StripeWebhooksServiceControllerMethods()
export class StripeWebhooksGrpcController implements v1.StripeWebhooksServiceController {
  constructor(private readonly webhooks: StripeWebhooks) {}

  async handleStripeWebhook(request: v1.StripeWebhook): Promise<v1.StripeWebhookResult> {
    const { outcome, event } = await this.webhooks.handle(
      Buffer.from(request.payload),
      request.signature,
    );
    return { eventId: event.id, type: event.type, outcome };
  }
}
