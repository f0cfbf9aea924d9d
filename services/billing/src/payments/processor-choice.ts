import type { Clock } from '@fluxnote/clock';
import { isProduction } from '@fluxnote/config';
import type { BillingConfig } from '../config/billing.config';
import type { PaymentProcessor } from './payment-processor';
import { SimulatedPaymentProcessor } from './simulated-processor';

/** The processor this deployment charges through. Production never takes pretend payments. */
export function paymentProcessorFor(config: BillingConfig, clock: Clock): PaymentProcessor {
  if (isProduction(config)) {
    // The Stripe adapter is the next slice of issue 8; until then production billing does not start.
    throw new Error(
      'billing: no real payment processor is available yet; production refuses the simulated one',
    );
  }
  return new SimulatedPaymentProcessor(clock, config.SIMULATED_REFUND_SETTLE_SECONDS);
}
