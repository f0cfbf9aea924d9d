import { Controller, UseInterceptors } from '@nestjs/common';
import { billingPaymentsV1 as v1, ProblemError } from '@fluxnote/contracts';
import { AlsoServedAs } from '@fluxnote/grpc';
import { AccountStanding } from '@fluxnote/platform';
import { OpenAccountOnFirstSight } from '../subscriptions/account-opener';
import { currency, key } from './payment-messages';
import { PaymentMethodService } from './payment-methods.service';
import { PaymentProcessor } from './payment-processor';

/** `PaymentMethodsService`: saving the card (or UPI) renewals and purchases charge. */
@Controller()
@UseInterceptors(OpenAccountOnFirstSight)
@AlsoServedAs(v1.PAYMENTS_SERVICE_NAME)
@v1.PaymentMethodsServiceControllerMethods()
export class PaymentMethodsGrpcController implements v1.PaymentMethodsServiceController {
  constructor(
    private readonly paymentMethods: PaymentMethodService,
    private readonly processor: PaymentProcessor,
    private readonly standing: AccountStanding,
  ) {}

  async startPaymentMethodSetup(
    request: v1.PaymentMethodSetupRequest,
  ): Promise<v1.PaymentMethodSetup> {
    await this.standing.assertActive(request.userId, 'Saving a payment method');
    const setup = await this.paymentMethods.startSetup(request.userId, {
      currency: currency(request.currency),
      idempotencyKey: key(request.idempotencyKey),
    });
    return {
      id: setup.reference,
      clientSecret: setup.clientSecret,
      processor: this.processor.name,
      status: setup.status,
    };
  }

  async savePaymentMethod(request: v1.SavePaymentMethodRequest): Promise<v1.SavedPaymentMethod> {
    await this.standing.assertActive(request.userId, 'Saving a payment method');
    if (request.setupId.length === 0 || request.setupId.length > 255) {
      throw ProblemError.badRequest('setupId is required (1 to 255 characters).', {
        field: 'setupId',
      });
    }
    const saved = await this.paymentMethods.save(request.userId, request.setupId);
    return {
      paymentMethod: saved.paymentMethod,
      kind: saved.methodKind,
      mandate: saved.mandate ?? '',
    };
  }
}
