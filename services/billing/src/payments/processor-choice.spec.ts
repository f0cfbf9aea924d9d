import { FixedClock } from '@fluxnote/clock';
import { billingConfigSchema } from '../config/billing.config';
import { paymentProcessorFor } from './processor-choice';
import type { DataSource } from 'typeorm';
import { SimulatedPaymentProcessor } from './simulated-processor';
import { StripePaymentProcessor } from './stripe-processor';

const clock = new FixedClock(new Date('2026-11-01T00:00:00Z'));
const base = { DATABASE_URL: 'postgres://u:p@127.0.0.1:5432/db', ACCOUNTS_GRPC_URL: '127.0.0.1:1' };
// Choosing a processor touches no database; the Stripe adapter keeps it for customer ids.
const dataSource = {} as DataSource;

describe('payment processor choice', () => {
  it('uses the simulator in embedded mode', () => {
    const processor = paymentProcessorFor(billingConfigSchema.parse(base), clock, dataSource);
    expect(processor).toBeInstanceOf(SimulatedPaymentProcessor);
    expect(processor.name).toBe('simulated');
  });

  it('charges through Stripe when it has a key, and production cannot start without one', () => {
    const production = {
      ...base,
      NODE_ENV: 'production',
      KAFKA_BROKERS: 'kafka:9092',
      STRIPE_WEBHOOK_SECRET: 'whsec_x',
    };
    const config = billingConfigSchema.parse({ ...production, STRIPE_SECRET_KEY: 'sk_live_x' });
    const processor = paymentProcessorFor(config, clock, dataSource);
    expect(processor).toBeInstanceOf(StripePaymentProcessor);
    expect(processor.name).toBe('stripe');
    expect(() => billingConfigSchema.parse(production)).toThrow(/STRIPE_SECRET_KEY/);
  });
});

describe('simulated processor', () => {
  const processor = new SimulatedPaymentProcessor(clock, 60);
  const usd = { amount: 1900, currency: 'USD' as const };

  it('answers the same key the same way, declines its declining card, confirms refunds after the delay', async () => {
    const input = {
      idempotencyKey: 'k',
      userId: 'u',
      amount: usd,
      description: 'd',
      paymentMethod: 'sim_card',
      labels: {},
    };
    const first = await processor.charge(input);
    expect(first).toEqual(await processor.charge(input));
    expect(await processor.charge({ ...input, paymentMethod: 'sim_card_declined' })).toEqual({
      status: 'declined',
      reason: 'card_declined',
    });
    if (first.status !== 'succeeded') {
      throw new Error('expected a charge');
    }
    const refund = await processor.refund({
      idempotencyKey: 'r',
      chargeReference: first.reference,
      amount: usd,
    });
    expect(refund.status).toBe('pending');
    expect(await processor.refundStatus(refund.reference)).toBe('pending');
    clock.advance(60_000);
    expect(await processor.refundStatus(refund.reference)).toBe('succeeded');
  });
});
