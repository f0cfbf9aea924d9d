import { FixedClock } from '@fluxnote/clock';
import { billingConfigSchema } from '../config/billing.config';
import { paymentProcessorFor } from './processor-choice';
import { SimulatedPaymentProcessor } from './simulated-processor';

const clock = new FixedClock(new Date('2026-11-01T00:00:00Z'));
const base = { DATABASE_URL: 'postgres://u:p@127.0.0.1:5432/db' };

describe('payment processor choice', () => {
  it('uses the simulator in embedded mode', () => {
    const processor = paymentProcessorFor(billingConfigSchema.parse(base), clock);
    expect(processor).toBeInstanceOf(SimulatedPaymentProcessor);
    expect(processor.name).toBe('simulated');
  });

  it('refuses the simulator in production', () => {
    const config = billingConfigSchema.parse({
      ...base,
      NODE_ENV: 'production',
      KAFKA_BROKERS: 'kafka:9092',
      STRIPE_SECRET_KEY: 'sk_live_x',
      STRIPE_WEBHOOK_SECRET: 'whsec_x',
    });
    expect(() => paymentProcessorFor(config, clock)).toThrow(/refuses the simulated one/);
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
