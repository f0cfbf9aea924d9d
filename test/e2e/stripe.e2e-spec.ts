import { rmSync } from 'node:fs';
import request from 'supertest';
import {
  createTestDatabase,
  expectEventually,
  makeTempDir,
  StripeDouble,
  testTransport,
  type TestDatabase,
} from '@fluxnote/testing';
import { Platform } from '../../tools/launcher/platform';
import { checkContract, relaxedRateLimits } from './platform-under-test';

jest.setTimeout(120_000);

const WEBHOOK_SECRET = 'whsec_e2e_secret';

/**
 * The platform configured for Stripe (a secret key, the API pointed at a local
 * double, a webhook signing secret): a subscription paid through Stripe, a refund
 * that stays pending until Stripe's signed webhook — sent through the gateway as
 * Stripe sends it — settles it.
 */
describe(`Stripe through the gateway (${testTransport().name})`, () => {
  let db: TestDatabase;
  let platform: Platform;
  let finishContract: (() => Promise<void>) | undefined;
  let dataDir: string;
  let api: ReturnType<typeof request>;
  const stripe = new StripeDouble();

  beforeAll(async () => {
    const apiUrl = await stripe.start();
    db = await createTestDatabase('e2e_stripe');
    dataDir = makeTempDir('e2e-stripe');
    platform = await Platform.start({
      dataDir,
      databaseUrl: db.url,
      port: 0,
      env: {
        ...testTransport().env,
        ...relaxedRateLimits,
        LOG_LEVEL: 'warn',
        STRIPE_SECRET_KEY: 'sk_test_e2e',
        STRIPE_API_URL: apiUrl,
        STRIPE_WEBHOOK_SECRET: WEBHOOK_SECRET,
      },
    });
    ({ finish: finishContract } = await checkContract(platform));
    api = request(platform.gatewayUrl);
  });

  afterAll(async () => {
    try {
      await finishContract?.();
    } finally {
      await platform?.stop();
      await db?.drop();
      await stripe.stop();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  function webhook(payload: string, signature: string): request.Test {
    return api
      .post('/v1/webhooks/stripe')
      .set('content-type', 'application/json; charset=utf-8')
      .set('stripe-signature', signature)
      .send(payload);
  }

  it('charges through Stripe and settles the refund from the signed webhook, once', async () => {
    const signup = await api
      .post('/v1/auth/signup')
      .send({ email: `payer-${Date.now()}@example.com`, password: 'a long enough password' })
      .expect(201);
    const token = `Bearer ${(signup.body as { accessToken: string }).accessToken}`;
    await api.get('/v1/usage').set('authorization', token).expect(200);

    // Stripe has no default card: a payment method collected by the client is required.
    const none = await api
      .post('/v1/billing/subscription')
      .set('authorization', token)
      .send({ plan: 'pro', interval: 'month' })
      .expect(400);
    expect(none.headers['content-type']).toMatch(/application\/problem\+json/);

    const subscribed = await api
      .post('/v1/billing/subscription')
      .set('authorization', token)
      .send({ plan: 'pro', interval: 'month', paymentMethod: 'pm_card_visa_e2e' })
      .expect(200);
    const chargeId = (subscribed.body as { charge: { id: string } }).charge.id;
    expect(subscribed.body).toMatchObject({
      subscription: { plan: 'pro', status: 'active' },
      charge: { status: 'succeeded', amount: { amount: 1900, currency: 'USD' } },
    });
    expect([...stripe.paymentIntents.values()]).toEqual([
      expect.objectContaining({ amount: 1900, currency: 'usd', status: 'succeeded' }),
    ]);

    const refund = await api
      .post('/v1/billing/refunds')
      .set('authorization', token)
      .send({ chargeId, reason: 'not what I expected' })
      .expect(201);
    expect(refund.body).toMatchObject({ decision: 'approved', status: 'pending' });
    const [atStripe] = [...stripe.refunds.values()];
    expect(atStripe?.amount).toBe((refund.body as { amount: { amount: number } }).amount.amount);

    const settled = stripe.webhook(
      'refund.updated',
      stripe.settleRefund(atStripe.id, 'succeeded'),
      WEBHOOK_SECRET,
    );
    // A body altered on the way no longer matches its signature.
    const forged = await webhook(
      settled.payload.replace('succeeded', 'failed'),
      settled.signature,
    ).expect(400);
    expect(forged.headers['content-type']).toMatch(/application\/problem\+json/);
    await api.post('/v1/webhooks/stripe').send({}).expect(400);

    const first = await webhook(settled.payload, settled.signature).expect(200);
    expect(first.body).toMatchObject({
      received: true,
      type: 'refund.updated',
      outcome: 'handled',
    });
    const again = await webhook(settled.payload, settled.signature).expect(200);
    expect(again.body).toMatchObject({ outcome: 'duplicate' });

    const refunds = await api.get('/v1/billing/refunds').set('authorization', token).expect(200);
    expect((refunds.body as { items: unknown[] }).items).toEqual([
      expect.objectContaining({ status: 'succeeded', settledAt: expect.any(String) }),
    ]);
  });
  it('saves a card with the user present, then charges it without them', async () => {
    const signup = await api
      .post('/v1/auth/signup')
      .send({ email: `saver-${Date.now()}@example.com`, password: 'a long enough password' })
      .expect(201);
    const token = `Bearer ${(signup.body as { accessToken: string }).accessToken}`;
    // The moment signup answers, as a fast client does.
    const started = await api
      .post('/v1/billing/payment-methods/setup')
      .set('authorization', token)
      .set('idempotency-key', 'save-card-1')
      .send({})
      .expect(201);
    const setup = started.body as { id: string; clientSecret: string };
    expect(started.body).toMatchObject({ processor: 'stripe', status: 'requires_payment_method' });
    expect(setup.clientSecret).toMatch(/_secret_/);
    const early = await api
      .post('/v1/billing/payment-methods')
      .set('authorization', token)
      .send({ setupId: setup.id })
      .expect(409);
    expect(early.headers['content-type']).toMatch(/application\/problem\+json/);
    await api
      .post('/v1/billing/payment-methods')
      .set('authorization', token)
      .send({ setupId: '' })
      .expect(400);

    // Stripe.js confirms it in the app (3-D Secure with the user there), then the app saves it.
    stripe.confirmSetup(setup.id, 'pm_card_visa_saved_e2e');
    const saved = await api
      .post('/v1/billing/payment-methods')
      .set('authorization', token)
      .send({ setupId: setup.id })
      .expect(200);
    expect(saved.body).toEqual({
      paymentMethod: 'pm_card_visa_saved_e2e',
      kind: 'card',
      mandate: null,
    });
    const subscribed = await api
      .post('/v1/billing/subscription')
      .set('authorization', token)
      .send({ plan: 'rise', interval: 'month' })
      .expect(200);
    expect(subscribed.body).toMatchObject({
      subscription: { plan: 'rise', paymentMethod: 'pm_card_visa_saved_e2e' },
      charge: { status: 'succeeded' },
    });
    const charged = stripe.requests.filter((r) => r.path === '/v1/payment_intents').at(-1);
    expect(charged?.form).toMatchObject({
      payment_method: 'pm_card_visa_saved_e2e',
      off_session: 'true',
    });
  });
  it('freezes a disputed pack’s credits, opens a ticket for support, and unfreezes on a win', async () => {
    const signup = await api
      .post('/v1/auth/signup')
      .send({ email: `disputer-${Date.now()}@example.com`, password: 'a long enough password' })
      .expect(201);
    const { accessToken, user } = signup.body as { accessToken: string; user: { id: string } };
    const token = `Bearer ${accessToken}`;
    await api
      .post('/v1/billing/credit-packs')
      .set('authorization', token)
      .send({ pack: 'video-10', paymentMethod: 'pm_card_visa_disputed_e2e' })
      .expect(201);
    const intent = [...stripe.paymentIntents.values()].find(
      (i) => i.metadata['user_id'] === user.id,
    )!;
    const dispute = (status: string) => ({
      id: `du_e2e_${user.id}`,
      object: 'dispute',
      amount: intent.amount,
      currency: intent.currency,
      payment_intent: intent.id,
      reason: 'fraudulent',
      status,
      evidence_details: { due_by: Math.floor(Date.now() / 1000) + 10 * 86_400 },
    });
    const opened = stripe.webhook(
      'charge.dispute.created',
      dispute('needs_response'),
      WEBHOOK_SECRET,
    );
    const handled = await webhook(opened.payload, opened.signature).expect(200);
    expect(handled.body).toMatchObject({ type: 'charge.dispute.created', outcome: 'handled' });

    const usage = await api.get('/v1/usage').set('authorization', token).expect(200);
    expect(usage.body).toMatchObject({ video: { reserved: 10, remaining: 1 } });
    const admin = (
      await api
        .post('/v1/auth/login')
        .send({ email: platform.admin.email, password: platform.admin.password })
        .expect(200)
    ).body as { accessToken: string };
    // Support hears of it over the event bus.
    await expectEventually(
      async () => {
        const queue = await api
          .get('/v1/agent/queue')
          .query({ limit: 200 })
          .set('authorization', `Bearer ${admin.accessToken}`)
          .expect(200);
        expect((queue.body as { items: { userId: string; tags: string[] }[] }).items).toEqual(
          expect.arrayContaining([expect.objectContaining({ userId: user.id, tags: ['dispute'] })]),
        );
      },
      { timeoutMs: 30_000 },
    );

    const won = stripe.webhook('charge.dispute.closed', dispute('won'), WEBHOOK_SECRET);
    await webhook(won.payload, won.signature).expect(200);
    const after = await api.get('/v1/usage').set('authorization', token).expect(200);
    expect(after.body).toMatchObject({ video: { reserved: 0, remaining: 11 } });
  });
});
