import type { DataSource } from 'typeorm';
import type { Clock } from '@fluxnote/clock';
import { Outbox } from '@fluxnote/messaging';
import { ChargeService } from '../charges/charge.service';
import type { BillingConfig } from '../config/billing.config';
import { DisputeService } from '../disputes/dispute.service';
import { LedgerService } from '../ledger/ledger.service';
import { PaymentMethodService } from '../payments/payment-methods.service';
import type { PaymentProcessor } from '../payments/payment-processor';
import { RefundService } from '../refunds/refund.service';
import { PlanActions } from '../subscriptions/plan-actions';
import { SubscriptionService } from '../subscriptions/subscription.service';

/** Billing's services wired by hand, as `BillingModule` wires them, for integration tests. */
export function billingServices(
  dataSource: DataSource,
  clock: Clock,
  config: BillingConfig,
  processor: PaymentProcessor,
): {
  ledger: LedgerService;
  charges: ChargeService;
  refunds: RefundService;
  subscriptions: SubscriptionService;
  paymentMethods: PaymentMethodService;
  disputes: DisputeService;
} {
  const outbox = new Outbox('billing', 'billing');
  const ledger = new LedgerService(dataSource, clock, config, outbox);
  const charges = new ChargeService(processor, outbox, clock);
  const refunds = new RefundService(
    dataSource,
    clock,
    charges,
    ledger,
    processor,
    new PlanActions(clock, ledger, outbox),
    outbox,
    config,
  );
  const subscriptions = new SubscriptionService(
    dataSource,
    clock,
    ledger,
    charges,
    refunds,
    processor,
    outbox,
  );
  const paymentMethods = new PaymentMethodService(dataSource, processor);
  const disputes = new DisputeService(clock, charges, ledger, outbox);
  return { ledger, charges, refunds, subscriptions, paymentMethods, disputes };
}
