import type { DataSource } from 'typeorm';
import { problemOf, StripeDouble } from '@fluxnote/testing';
import { chargeLabels } from '../charges/charge.service';
import type { LedgerService } from '../ledger/ledger.service';
import type { RefundService } from '../refunds/refund.service';
import type { SubscriptionService } from '../subscriptions/subscription.service';
import type { PaymentMethodService } from './payment-methods.service';
import { RECONCILE_AFTER_SECONDS, StripeWebhooks } from './stripe-webhooks';
import { STRIPE_WEBHOOK_SECRET, useStripeFixture } from '../testing/stripe-fixture';

/** The Stripe adapter and webhooks against a local HTTP double of Stripe's API, through the official SDK. */
describe('Stripe payments (SDK against a local Stripe double, Postgres)', () => {
  const fixture = useStripeFixture('billing_stripe');
  const { clock, seconds, newUser, chargesOf, events, deliver } = fixture;
  let dataSource: DataSource;
  let stripe: StripeDouble;
  let ledger: LedgerService;
  let subscriptions: SubscriptionService;
  let refunds: RefundService;
  let paymentMethods: PaymentMethodService;
  let webhooks: StripeWebhooks;
  beforeAll(() => {
    ({ dataSource, stripe, ledger, subscriptions, refunds, paymentMethods, webhooks } =
      fixture.opened());
  });

  it('pays a pack with a PaymentIntent on the user’s own customer, once per key', async () => {
    const userId = await newUser();
    const card = `pm_card_visa_${userId}`;
    const request = { pack: 'video-10', paymentMethod: card, idempotencyKey: 'pack-1' };
    const charge = await subscriptions.buyPack(userId, request);
    expect(charge).toMatchObject({ status: 'succeeded', processor: 'stripe', unfulfilled: false });
    expect(await subscriptions.buyPack(userId, request)).toMatchObject({ id: charge.id });

    const intent = stripe.paymentIntents.get(charge.processorRef!);
    expect(intent).toMatchObject({ amount: 999, currency: 'usd', payment_method: card });
    expect(intent?.metadata).toMatchObject({
      user_id: userId,
      kind: 'credit_pack',
      pack: 'video-10',
      charge_key: `pack:${userId}:pack-1`,
    });
    const creates = stripe.requests.filter((r) => r.path === '/v1/payment_intents');
    expect(creates.filter((r) => r.form['metadata[user_id]'] === userId)).toHaveLength(1);
    expect(creates.at(-1)?.key).toBe(`pack:${userId}:pack-1`);

    await subscriptions.buyPack(userId, { ...request, idempotencyKey: 'pack-2' });
    const customers = [...stripe.customers.values()].filter(
      (c) => (c['metadata'] as Record<string, string>)['user_id'] === userId,
    );
    expect(customers).toHaveLength(1);
    expect(stripe.paymentMethods.get(card)?.['customer']).toBe(customers[0]?.['id']);
    expect((await ledger.usage(userId)).pools.video.packCredits).toBe(20);
  });

  it('records a declined card (402), refuses an unknown or someone else’s payment method (400) and a missing one', async () => {
    const userId = await newUser();
    const declined = await problemOf(
      subscriptions.buyPack(userId, {
        pack: 'video-10',
        paymentMethod: `pm_card_chargeDeclined_${userId}`,
        idempotencyKey: 'd1',
      }),
    );
    expect(declined.status).toBe(402);
    expect(declined.detail).toMatch(/generic_decline/);
    const needsAuth = await problemOf(
      subscriptions.change(userId, {
        plan: 'pro',
        interval: 'month',
        paymentMethod: `pm_card_authenticationRequired_${userId}`,
        idempotencyKey: 'a1',
      }),
    );
    expect(needsAuth.status).toBe(402);
    expect(needsAuth.detail).toMatch(/authentication_required/);
    const failed = await chargesOf(userId);
    expect(failed.map((c) => [c['status'], c['failure_reason']]).sort()).toEqual([
      ['failed', 'authentication_required'],
      ['failed', 'generic_decline'],
    ]);

    const unknown = await problemOf(
      subscriptions.buyPack(userId, {
        pack: 'video-10',
        paymentMethod: 'pm_nope',
        idempotencyKey: 'u1',
      }),
    );
    expect(unknown).toMatchObject({ status: 400 });
    expect(unknown).toMatchObject({ field: 'paymentMethod' });

    const other = await newUser();
    const theirs = `pm_card_visa_${other}`;
    await subscriptions.buyPack(other, {
      pack: 'video-10',
      paymentMethod: theirs,
      idempotencyKey: 'o1',
    });
    expect(
      await problemOf(
        subscriptions.buyPack(userId, {
          pack: 'video-10',
          paymentMethod: theirs,
          idempotencyKey: 'o2',
        }),
      ),
    ).toMatchObject({ status: 400 });
    expect(
      await problemOf(subscriptions.buyPack(userId, { pack: 'video-10', idempotencyKey: 'none' })),
    ).toMatchObject({ status: 400 });
    expect(await events('billing.charge.succeeded.v1', userId)).toHaveLength(0);
  });

  it('saves an Indian card through a SetupIntent with an e-mandate, and renews under it off-session', async () => {
    const userId = await newUser('IN');
    const setup = await paymentMethods.startSetup(userId, { idempotencyKey: 'save-1' });
    expect(setup).toMatchObject({ status: 'requires_payment_method' });
    expect(setup.clientSecret).toMatch(/^seti_.+_secret_/);
    // A retry of the same request reaches the same SetupIntent.
    expect(await paymentMethods.startSetup(userId, { idempotencyKey: 'save-1' })).toEqual(setup);
    const intent = stripe.setupIntents.get(setup.reference)!;
    expect(intent).toMatchObject({ usage: 'off_session', metadata: { user_id: userId } });
    expect(intent.mandate_options).toEqual({
      '[amount]': '2998800',
      '[amount_type]': 'maximum',
      '[currency]': 'inr',
      '[interval]': 'sporadic',
      '[reference]': `fluxnote-${userId}`,
      '[description]': 'fluxnote plan renewals and credit packs',
      '[start_date]': String(seconds()),
      '[supported_types][0]': 'india',
    });

    // Not confirmed by the client yet: nothing is saved.
    const early = await problemOf(paymentMethods.save(userId, setup.reference));
    expect(early).toMatchObject({ status: 409 });
    expect(early.detail).toMatch(/requires_payment_method/);

    const card = `pm_card_visa_in_${userId}`;
    const confirmed = stripe.confirmSetup(setup.reference, card);
    const saved = await paymentMethods.save(userId, setup.reference);
    expect(saved).toEqual({ paymentMethod: card, methodKind: 'card', mandate: confirmed.mandate });
    expect(await subscriptions.get(userId)).toMatchObject({ paymentMethod: card });

    // The subscription and its renewal charge the saved card without the user, under the mandate.
    await subscriptions.change(userId, { plan: 'pro', interval: 'month', idempotencyKey: 'sub' });
    clock.advance(31 * 86_400_000);
    await subscriptions.renewDue();
    const intents = stripe.requests.filter(
      (r) => r.path === '/v1/payment_intents' && r.form['metadata[user_id]'] === userId,
    );
    expect(intents.map((r) => r.form['metadata[kind]'])).toEqual(['subscription', 'subscription']);
    for (const request of intents) {
      expect(request.form).toMatchObject({
        payment_method: card,
        off_session: 'true',
        mandate: confirmed.mandate,
        currency: 'inr',
      });
    }
    // Paying with another method drops the mandate, which belongs to the saved card.
    await subscriptions.buyPack(userId, {
      pack: 'video-10',
      paymentMethod: `pm_card_visa_other_${userId}`,
      idempotencyKey: 'p1',
    });
    expect(stripe.requests.at(-1)?.form['mandate']).toBeUndefined();
  });

  it('saves a card without a mandate outside India, and refuses setups that are not the user’s or failed', async () => {
    const userId = await newUser('US');
    const setup = await paymentMethods.startSetup(userId, { idempotencyKey: 'us-1' });
    expect(stripe.setupIntents.get(setup.reference)?.mandate_options).toBeNull();
    stripe.confirmSetup(setup.reference, `pm_card_visa_us_${userId}`);

    const other = await newUser('US');
    for (const id of [setup.reference, 'seti_unknown', 'pi_not_a_setup']) {
      expect(await problemOf(paymentMethods.save(other, id))).toMatchObject({ status: 404 });
    }
    expect(await subscriptions.get(other)).toMatchObject({ paymentMethod: null });
    expect(await paymentMethods.save(userId, setup.reference)).toMatchObject({ mandate: null });

    // An Indian card whose bank refused the e-mandate is not saved: renewals would fail on it.
    const indian = await newUser('IN');
    const refused = await paymentMethods.startSetup(indian, { idempotencyKey: 'in-1' });
    stripe.confirmSetup(refused.reference, `pm_card_visa_in_${indian}`, 'inactive');
    const problem = await problemOf(paymentMethods.save(indian, refused.reference));
    expect(problem).toMatchObject({ status: 409 });
    expect(problem.detail).toMatch(/mandate_inactive/);
    expect(await subscriptions.get(indian)).toMatchObject({ paymentMethod: null });

    stripe.down = true;
    expect(
      await problemOf(paymentMethods.startSetup(userId, { idempotencyKey: 'us-2' })),
    ).toMatchObject({ status: 503 });
  });

  it('answers 503 and records nothing while Stripe is down; the retry charges once', async () => {
    const userId = await newUser();
    const request = {
      pack: 'video-10',
      paymentMethod: `pm_card_visa_${userId}`,
      idempotencyKey: 'outage',
    };
    stripe.down = true;
    expect(await problemOf(subscriptions.buyPack(userId, request))).toMatchObject({ status: 503 });
    expect(await chargesOf(userId)).toEqual([]);
    stripe.down = false;
    await subscriptions.buyPack(userId, request);
    expect(await chargesOf(userId)).toEqual([expect.objectContaining({ status: 'succeeded' })]);
    expect((await ledger.usage(userId)).pools.video.packCredits).toBe(10);
  });

  it('keeps a refund pending until Stripe’s signed webhook settles it, once, however often it is delivered', async () => {
    const userId = await newUser();
    const { charge } = await subscriptions.change(userId, {
      plan: 'pro',
      interval: 'month',
      paymentMethod: `pm_card_visa_${userId}`,
      idempotencyKey: 's1',
    });
    clock.advance(86_400_000);
    const refund = await refunds.request(
      userId,
      { chargeId: charge!.id, reason: 'not for me' },
      'r1',
    );
    expect(refund).toMatchObject({ decision: 'approved', status: 'pending' });
    const atStripe = [...stripe.refunds.values()].find(
      (r) => r.payment_intent === charge!.processorRef,
    )!;
    expect(atStripe.amount).toBe(refund.amount.amount);

    const delivery = deliver('refund.updated', stripe.settleRefund(atStripe.id, 'succeeded'));
    const both = await Promise.all([delivery.send(), delivery.send()]);
    expect(both.map((r) => r.outcome).sort()).toEqual(['duplicate', 'handled']);
    expect(await delivery.send()).toMatchObject({ outcome: 'duplicate' });
    expect((await refunds.list(userId))[0]).toMatchObject({ status: 'succeeded' });
    expect(await events('billing.refund.processed.v1', userId)).toEqual([
      expect.objectContaining({ status: 'succeeded', amount: refund.amount }),
    ]);

    // Events billing does not act on are acknowledged and recorded as ignored.
    expect(
      await deliver('customer.created', { id: 'cus_x', object: 'customer' }).send(),
    ).toMatchObject({ outcome: 'ignored' });
  });

  it('refuses a delivery whose signature does not match, or that is too old to be fresh', async () => {
    const { payload, signature } = stripe.webhook(
      'refund.updated',
      { id: 're_x', status: 'succeeded' },
      STRIPE_WEBHOOK_SECRET,
    );
    const tampered = payload.replace('succeeded', 'failed');
    expect(await problemOf(webhooks.handle(Buffer.from(tampered), signature))).toMatchObject({
      status: 400,
    });
    const otherSecret = stripe.webhook('refund.updated', { id: 're_x' }, 'whsec_other');
    expect(
      await problemOf(webhooks.handle(Buffer.from(otherSecret.payload), otherSecret.signature)),
    ).toMatchObject({ status: 400 });
    clock.advance(10 * 60_000);
    expect(await problemOf(webhooks.handle(Buffer.from(payload), signature))).toMatchObject({
      status: 400,
    });
    const eventId = (JSON.parse(payload) as { id: string }).id;
    expect(
      await dataSource.query(`SELECT 1 FROM billing.processor_events WHERE event_id = $1`, [
        eventId,
      ]),
    ).toEqual([]);
  });

  it('asks Stripe about refunds no webhook has settled, and records a failed one', async () => {
    const userId = await newUser();
    const { charge } = await subscriptions.change(userId, {
      plan: 'pro',
      interval: 'month',
      paymentMethod: `pm_card_visa_${userId}`,
      idempotencyKey: 's2',
    });
    await refunds.request(userId, { chargeId: charge!.id, reason: 'changed my mind' }, 'r2');
    const atStripe = [...stripe.refunds.values()].find(
      (r) => r.payment_intent === charge!.processorRef,
    )!;
    stripe.settleRefund(atStripe.id, 'failed');
    expect(await refunds.settlePending()).toBeGreaterThanOrEqual(1);
    expect((await refunds.list(userId))[0]).toMatchObject({ status: 'failed' });
    expect(await events('billing.refund.processed.v1', userId)).toEqual([
      expect.objectContaining({ status: 'failed' }),
    ]);
  });

  it('refunds in full a payment Stripe took that billing never recorded — after a grace period, once — and a retry does not fulfil it', async () => {
    const userId = await newUser();
    const key = `pack:${userId}:lost`;
    // The charge call reached Stripe, then billing crashed before its transaction committed.
    const intent = stripe.succeededIntent({
      amount: 999,
      currency: 'usd',
      metadata: chargeLabels({
        userId,
        brand: 'fluxnote',
        kind: 'credit_pack',
        pack: 'video-10',
        amount: { amount: 999, currency: 'USD' },
        paymentMethod: 'pm_card_visa_lost',
        description: 'pack',
        idempotencyKey: key,
      }),
    });
    const early = deliver('payment_intent.succeeded', intent);
    expect(await problemOf(early.send())).toMatchObject({ status: 503 });
    expect(await chargesOf(userId)).toEqual([]);

    clock.advance((RECONCILE_AFTER_SECONDS + 1) * 1000);
    const later = deliver(
      'payment_intent.succeeded',
      intent,
      (JSON.parse(early.payload) as { id: string }).id,
    );
    expect(await later.send()).toMatchObject({ outcome: 'handled' });
    expect(await later.send()).toMatchObject({ outcome: 'duplicate' });
    expect(await chargesOf(userId)).toEqual([
      expect.objectContaining({ status: 'succeeded', unfulfilled: true, processor_ref: intent.id }),
    ]);
    expect(await refunds.list(userId)).toEqual([
      expect.objectContaining({
        decision: 'approved',
        source: 'automatic',
        rule: 'billing-error.unfulfilled-payment',
        amount: { amount: 999, currency: 'USD' },
        status: 'pending',
      }),
    ]);
    expect([...stripe.refunds.values()].filter((r) => r.payment_intent === intent.id)).toHaveLength(
      1,
    );

    // The user retries the purchase with the same key: told it was refunded, no credits appear.
    const retry = await problemOf(
      subscriptions.buyPack(userId, {
        pack: 'video-10',
        paymentMethod: 'pm_card_visa_lost',
        idempotencyKey: 'lost',
      }),
    );
    expect(retry.status).toBe(409);
    expect((await ledger.usage(userId)).pools.video.packCredits).toBe(0);

    // A payment billing recorded as its own is left alone.
    const paid = await subscriptions.buyPack(userId, {
      pack: 'video-10',
      paymentMethod: `pm_card_visa_${userId}`,
      idempotencyKey: 'fine',
    });
    clock.advance((RECONCILE_AFTER_SECONDS + 1) * 1000);
    const known = stripe.paymentIntents.get(paid.processorRef!)!;
    expect(await deliver('payment_intent.succeeded', known).send()).toMatchObject({
      outcome: 'ignored',
    });
  });

  it('refunds a UPI payment that confirmed after billing recorded it as not paid', async () => {
    const userId = await newUser('IN');
    const slow = await problemOf(
      subscriptions.buyPack(userId, {
        pack: 'video-10',
        paymentMethod: `pm_upi_${userId}`,
        idempotencyKey: 'upi',
      }),
    );
    expect(slow.status).toBe(402);
    expect(slow.detail).toMatch(/UPI/);
    const [recorded] = await chargesOf(userId);
    expect(recorded).toMatchObject({ status: 'failed', failure_reason: 'payment_processing' });
    const intent = stripe.paymentIntents.get(recorded['processor_ref'] as string)!;
    expect(intent).toMatchObject({ currency: 'inr', amount: 79900 });

    intent.status = 'succeeded';
    intent.amount_received = intent.amount;
    clock.advance((RECONCILE_AFTER_SECONDS + 1) * 1000);
    expect(await deliver('payment_intent.succeeded', intent).send()).toMatchObject({
      outcome: 'handled',
    });
    expect(await chargesOf(userId)).toEqual([
      expect.objectContaining({ status: 'succeeded', unfulfilled: true }),
    ]);
    expect(await refunds.list(userId)).toEqual([
      expect.objectContaining({ amount: { amount: 79900, currency: 'INR' }, decision: 'approved' }),
    ]);
    expect((await ledger.usage(userId)).pools.video.packCredits).toBe(0);
  });
});
