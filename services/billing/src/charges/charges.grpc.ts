import { Controller, UseInterceptors } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { billingPaymentsV1 as v1 } from '@fluxnote/contracts';
import { AlsoServedAs } from '@fluxnote/grpc';
import { chargeOut } from '../payments/payment-messages';
import { OpenAccountOnFirstSight } from '../subscriptions/account-opener';
import { ChargeService } from './charge.service';

/** `ChargesService`: what a user was charged. */
@Controller()
@UseInterceptors(OpenAccountOnFirstSight)
@AlsoServedAs(v1.PAYMENTS_SERVICE_NAME)
@v1.ChargesServiceControllerMethods()
export class ChargesGrpcController implements v1.ChargesServiceController {
  constructor(
    private readonly dataSource: DataSource,
    private readonly charges: ChargeService,
  ) {}

  async listCharges(request: v1.UserRef): Promise<v1.ChargeList> {
    const list = await this.charges.list(this.dataSource.manager, request.userId);
    return { charges: list.map(chargeOut) };
  }
}
