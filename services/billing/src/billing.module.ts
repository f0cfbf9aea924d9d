import { Module, type DynamicModule } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { Clock } from '@fluxnote/clock';
import {
  accountsDirectoryProvider,
  accountStandingProviders,
  serviceInfrastructure,
  userPurgeProviders,
} from '@fluxnote/platform';
import { billingDatabase } from './billing.database';
import { BillingSweeps } from './billing-sweeps';
import { ChargeService } from './charges/charge.service';
import { BILLING_CONFIG, type BillingConfig } from './config/billing.config';
import { LedgerEventsConsumer } from './ledger/ledger.events';
import { LedgerGrpcController } from './ledger/ledger.grpc';
import { LedgerService } from './ledger/ledger.service';
import { PaymentProcessor } from './payments/payment-processor';
import { paymentProcessorFor } from './payments/processor-choice';
import { DisputeService } from './disputes/dispute.service';
import { PaymentMethodService } from './payments/payment-methods.service';
import { StripeWebhooks } from './payments/stripe-webhooks';
import { RefundService } from './refunds/refund.service';
import { PlanActions } from './subscriptions/plan-actions';
import { SubscriptionService } from './subscriptions/subscription.service';
import { ChargesGrpcController } from './charges/charges.grpc';
import { PaymentMethodsGrpcController } from './payments/payment-methods.grpc';
import { StripeWebhooksGrpcController } from './payments/stripe-webhooks.grpc';
import { RefundsGrpcController } from './refunds/refunds.grpc';
import { SubscriptionsGrpcController } from './subscriptions/subscriptions.grpc';

/** Account deletion: every row this service holds for a user, in an order its foreign keys allow. */
const purgeStatements = [
  `DELETE FROM billing.disputes WHERE user_id = $1`,
  `DELETE FROM billing.refunds WHERE user_id = $1`,
  `DELETE FROM billing.charges WHERE user_id = $1`,
  `DELETE FROM billing.credit_entries WHERE user_id = $1`,
  `DELETE FROM billing.reservations WHERE user_id = $1`,
  `DELETE FROM billing.credit_grants WHERE user_id = $1`,
  `DELETE FROM billing.credit_balances WHERE user_id = $1`,
  `DELETE FROM billing.processor_customers WHERE user_id = $1`,
  `DELETE FROM billing.credit_accounts WHERE user_id = $1`,
  `DELETE FROM billing.account_standing WHERE user_id = $1`,
];

@Module({})
export class BillingModule {
  static forRoot(config: BillingConfig): DynamicModule {
    return {
      module: BillingModule,
      imports: serviceInfrastructure({
        ...billingDatabase,
        config,
      }),
      controllers: [
        LedgerGrpcController,
        SubscriptionsGrpcController,
        ChargesGrpcController,
        RefundsGrpcController,
        PaymentMethodsGrpcController,
        StripeWebhooksGrpcController,
      ],
      providers: [
        ...userPurgeProviders('billing', purgeStatements),
        ...accountStandingProviders('billing'),
        accountsDirectoryProvider(config),
        { provide: BILLING_CONFIG, useValue: config },
        {
          provide: PaymentProcessor,
          inject: [Clock, DataSource],
          useFactory: (clock: Clock, dataSource: DataSource) =>
            paymentProcessorFor(config, clock, dataSource),
        },
        LedgerService,
        LedgerEventsConsumer,
        ChargeService,
        PlanActions,
        RefundService,
        SubscriptionService,
        PaymentMethodService,
        DisputeService,
        StripeWebhooks,
        BillingSweeps,
      ],
    };
  }
}
