import type { ServiceDatabase } from '@fluxnote/platform';
import { CreditAccountEntity } from './ledger/credit-account.entity';
import { CreditBalanceEntity } from './ledger/credit-balance.entity';
import { CreditEntryEntity } from './ledger/credit-entry.entity';
import { ReservationEntity } from './ledger/reservation.entity';
import { InitialLedger1763700000000 } from './migrations/1763700000000-initial-ledger';
import { SubscriptionsChargesRefunds1763800000000 } from './migrations/1763800000000-subscriptions-charges-refunds';
import { CreditGrants1763900000000 } from './migrations/1763900000000-credit-grants';
import { Stripe1764000000000 } from './migrations/1764000000000-stripe';
import { AccountStanding1764200000000 } from './migrations/1764200000000-account-standing';
import { PaymentMethodKind1764500000500 } from './migrations/1764500000500-payment-method-kind';
import { PaymentMandate1764900000000 } from './migrations/1764900000000-payment-mandate';
import { Disputes1764900000100 } from './migrations/1764900000100-disputes';

/** The billing schema: its tables and the migrations that build them (used at start and by `main.js migrate`). */
export const billingDatabase: ServiceDatabase = {
  service: 'billing',
  entities: [CreditAccountEntity, CreditBalanceEntity, ReservationEntity, CreditEntryEntity],
  migrations: [
    InitialLedger1763700000000,
    SubscriptionsChargesRefunds1763800000000,
    CreditGrants1763900000000,
    Stripe1764000000000,
    AccountStanding1764200000000,
    PaymentMethodKind1764500000500,
    PaymentMandate1764900000000,
    Disputes1764900000100,
  ],
};
