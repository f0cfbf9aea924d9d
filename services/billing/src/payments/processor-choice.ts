import type { DataSource } from 'typeorm';
import type { Clock } from '@fluxnote/clock';
import { isProduction } from '@fluxnote/config';
import type { BillingConfig } from '../config/billing.config';
import type { PaymentProcessor } from './payment-processor';
import { SimulatedPaymentProcessor } from './simulated-processor';
import { StripePaymentProcessor, stripeClient } from './stripe-processor';

/**
 * The processor this deployment charges through: Stripe when it has a secret key,
 * otherwise the clearly labelled simulator — which production never takes.
 */
export function paymentProcessorFor(
  config: BillingConfig,
  clock: Clock,
  dataSource: DataSource,
): PaymentProcessor {
  if (config.STRIPE_SECRET_KEY) {
    const stripe = stripeClient({
      secretKey: config.STRIPE_SECRET_KEY,
      apiUrl: config.STRIPE_API_URL,
    });
    return new StripePaymentProcessor(stripe, dataSource, clock);
  }
  if (isProduction(config)) {
    // The config already requires STRIPE_SECRET_KEY in production; this guards against a future change there.
    throw new Error('billing: production refuses the simulated payment processor');
  }
  return new SimulatedPaymentProcessor(clock, config.SIMULATED_REFUND_SETTLE_SECONDS);
}
