import { Module, type DynamicModule } from '@nestjs/common';
import { serviceInfrastructure } from '@fluxnote/platform';
import { billingDatabase } from './billing.database';
import { BILLING_CONFIG, type BillingConfig } from './config/billing.config';
import { LedgerEventsConsumer } from './ledger/ledger.events';
import { LedgerGrpcController } from './ledger/ledger.grpc';
import { LedgerService } from './ledger/ledger.service';
import { ReservationExpiry } from './ledger/reservation-expiry';

@Module({})
export class BillingModule {
  static forRoot(config: BillingConfig): DynamicModule {
    return {
      module: BillingModule,
      imports: serviceInfrastructure({
        ...billingDatabase,
        config,
      }),
      controllers: [LedgerGrpcController],
      providers: [
        { provide: BILLING_CONFIG, useValue: config },
        LedgerService,
        LedgerEventsConsumer,
        ReservationExpiry,
      ],
    };
  }
}
