import { Module, type DynamicModule } from '@nestjs/common';
import { serviceInfrastructure } from '@fluxnote/platform';
import { BILLING_CONFIG, type BillingConfig } from './config/billing.config';
import { CreditAccountEntity } from './ledger/credit-account.entity';
import { CreditBalanceEntity } from './ledger/credit-balance.entity';
import { CreditEntryEntity } from './ledger/credit-entry.entity';
import { LedgerEventsConsumer } from './ledger/ledger.events';
import { LedgerGrpcController } from './ledger/ledger.grpc';
import { LedgerService } from './ledger/ledger.service';
import { ReservationEntity } from './ledger/reservation.entity';
import { ReservationExpiry } from './ledger/reservation-expiry';
import { InitialLedger1763700000000 } from './migrations/1763700000000-initial-ledger';

@Module({})
export class BillingModule {
  static forRoot(config: BillingConfig): DynamicModule {
    return {
      module: BillingModule,
      imports: serviceInfrastructure({
        service: 'billing',
        config,
        entities: [CreditAccountEntity, CreditBalanceEntity, ReservationEntity, CreditEntryEntity],
        migrations: [InitialLedger1763700000000],
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
