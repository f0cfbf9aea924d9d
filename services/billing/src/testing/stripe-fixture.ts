import { randomUUID } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { FixedClock } from '@fluxnote/clock';
import {
  openTestServiceDatabase,
  StripeDouble,
  type TestDatabase,
  SuiteValue,
} from '@fluxnote/testing';
import { billingDatabase } from '../billing.database';
import { billingConfigSchema } from '../config/billing.config';
import type { LedgerService } from '../ledger/ledger.service';
import type { RefundService } from '../refunds/refund.service';
import type { SubscriptionService } from '../subscriptions/subscription.service';
import type { PaymentMethodService } from '../payments/payment-methods.service';
import { billingServices } from './billing-services';
import { StripePaymentProcessor, stripeClient } from '../payments/stripe-processor';
import { StripeWebhooks } from '../payments/stripe-webhooks';

export const STRIPE_WEBHOOK_SECRET = 'whsec_test_secret';

/** What a Stripe suite works with once its database and the Stripe double are up. */
export interface OpenedStripe {
  db: TestDatabase;
  dataSource: DataSource;
  stripe: StripeDouble;
  ledger: LedgerService;
  subscriptions: SubscriptionService;
  refunds: RefundService;
  paymentMethods: PaymentMethodService;
  webhooks: StripeWebhooks;
}

/**
 * Billing on its own database (`name`) with the Stripe adapter and webhooks against a local HTTP
 * double of Stripe's API, through the official SDK. Registers the suite's `beforeAll`, `afterAll`
 * and a `beforeEach` that sets the clock to 1 Nov 2026, 12:00 UTC and brings Stripe back up.
 */
export function useStripeFixture(name: string) {
  const opened = new SuiteValue<OpenedStripe>('the Stripe fixture');
  const current = (): OpenedStripe => opened.get();
  const clock = new FixedClock(new Date('2026-11-01T12:00:00Z'));
  const seconds = (): number => Math.floor(clock.now().getTime() / 1000);

  beforeAll(async () => {
    const { db, dataSource } = await openTestServiceDatabase(name, billingDatabase, 10);
    const stripe = new StripeDouble(seconds);
    const apiUrl = await stripe.start();
    const config = billingConfigSchema.parse({
      DATABASE_URL: db.url,
      ACCOUNTS_GRPC_URL: '127.0.0.1:1',
      STRIPE_SECRET_KEY: 'sk_test_double',
      STRIPE_API_URL: apiUrl,
      STRIPE_WEBHOOK_SECRET,
    });
    const processor = new StripePaymentProcessor(
      stripeClient({ secretKey: 'sk_test_double', apiUrl }),
      dataSource,
      clock,
    );
    const wired = billingServices(dataSource, clock, config, processor);
    const webhooks = new StripeWebhooks(
      dataSource,
      clock,
      wired.charges,
      wired.refunds,
      wired.disputes,
      config,
    );
    opened.set({ db, dataSource, stripe, ...wired, webhooks });
  });

  afterAll(async () => {
    await opened.peek()?.stripe.stop();
    await opened.peek()?.dataSource.destroy();
    await opened.peek()?.db.drop();
  });

  beforeEach(() => {
    clock.set(new Date('2026-11-01T12:00:00Z'));
    const open = opened.peek();
    if (open) {
      open.stripe.down = false;
    }
  });

  async function newUser(country = 'US'): Promise<string> {
    const userId = randomUUID();
    await current().dataSource.transaction((m) =>
      current().ledger.openAccount(m, userId, 'fluxnote', 'free', country),
    );
    return userId;
  }

  async function chargesOf(userId: string): Promise<Record<string, unknown>[]> {
    return current().dataSource.query(
      `SELECT status, failure_reason, processor, processor_ref, unfulfilled, amount FROM billing.charges
        WHERE user_id = $1 ORDER BY created_at, id`,
      [userId],
    );
  }

  async function events(type: string, userId: string): Promise<Record<string, unknown>[]> {
    const rows = await current().dataSource.query<
      { envelope: { data: Record<string, unknown> } }[]
    >(
      `SELECT envelope FROM billing.outbox WHERE envelope->>'type' = $1 AND key = $2 ORDER BY seq`,
      [type, userId],
    );
    return rows.map((r) => r.envelope.data);
  }

  function deliver(type: string, object: Record<string, unknown>, id?: string) {
    const { payload, signature } = current().stripe.webhook(
      type,
      object,
      STRIPE_WEBHOOK_SECRET,
      id,
    );
    return {
      payload,
      signature,
      send: () => current().webhooks.handle(Buffer.from(payload), signature),
    };
  }

  return { opened: current, clock, seconds, newUser, chargesOf, events, deliver };
}
