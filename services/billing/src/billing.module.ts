import { Module, type DynamicModule } from '@nestjs/common';
import { ClockModule } from '@fluxnote/clock';
import { isProduction } from '@fluxnote/config';
import { MessagingModule } from '@fluxnote/messaging';
import { DatabaseModule, databaseReady } from '@fluxnote/persistence';
import { ObservabilityModule } from '@fluxnote/telemetry';
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
      imports: [
        DatabaseModule.forService({
          url: config.DATABASE_URL,
          schema: 'billing',
          entities: [
            CreditAccountEntity,
            CreditBalanceEntity,
            ReservationEntity,
            CreditEntryEntity,
          ],
          migrations: [InitialLedger1763700000000],
        }),
        ClockModule.forRoot({ production: isProduction(config), databaseUrl: config.DATABASE_URL }),
        MessagingModule.forService({
          schema: 'billing',
          source: 'fluxnote/billing',
          databaseUrl: config.DATABASE_URL,
          kafkaBrokers: config.KAFKA_BROKERS,
          kafkaClientId: `${config.KAFKA_CLIENT_ID}-billing`,
        }),
        ObservabilityModule.forRoot({
          service: 'billing',
          checks: { database: databaseReady },
        }),
      ],
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
