import { randomUUID } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { FixedClock } from '@fluxnote/clock';
import { ProblemError } from '@fluxnote/contracts';
import { openTestServiceDatabase, type TestDatabase } from '@fluxnote/testing';
import { billingDatabase } from '../billing.database';
import { billingConfigSchema } from '../config/billing.config';
import type { LedgerService } from '../ledger/ledger.service';
import { money } from '../money/money';
import { SimulatedPaymentProcessor, simulatedMethods } from '../payments/simulated-processor';
import type { RefundService } from '../refunds/refund.service';
import { billingServices } from '../testing/billing-services';
import type { SubscriptionService } from './subscription.service';

const DAY = 86_400_000;

describe('subscriptions, charges and refunds (Postgres)', () => {
  let db: TestDatabase;
  let dataSource: DataSource;
  let ledger: LedgerService;
  let subscriptions: SubscriptionService;
  let refunds: RefundService;
  const clock = new FixedClock(new Date('2026-11-01T12:00:00Z'));

  beforeAll(async () => {
    ({ db, dataSource } = await openTestServiceDatabase('billing_flows', billingDatabase, 20));
    const config = billingConfigSchema.parse({
      DATABASE_URL: db.url,
      ACCOUNTS_GRPC_URL: '127.0.0.1:1',
    });
    const processor = new SimulatedPaymentProcessor(clock, 3 * 86_400);
    ({ ledger, refunds, subscriptions } = billingServices(dataSource, clock, config, processor));
  });

  afterAll(async () => {
    await dataSource.destroy();
    await db.drop();
  });

  beforeEach(() => clock.set(new Date('2026-11-01T12:00:00Z')));

  async function newUser(brand = 'fluxnote', country: string | null = 'US'): Promise<string> {
    const userId = randomUUID();
    await dataSource.transaction((m) => ledger.openAccount(m, userId, brand, 'free', country));
    return userId;
  }

  async function spend(userId: string, video: number, image = 0): Promise<void> {
    const key = randomUUID();
    await ledger.reserve(key, userId, { video, image });
    await ledger.commit(key, 'succeeded');
  }

  async function events(type: string, userId: string): Promise<Record<string, unknown>[]> {
    const rows = await dataSource.query<{ envelope: { data: Record<string, unknown> } }[]>(
      `SELECT envelope FROM billing.outbox WHERE envelope->>'type' = $1 AND key = $2 ORDER BY seq`,
      [type, userId],
    );
    return rows.map((r) => r.envelope.data);
  }

  it('subscribes from Free at the full price with the new allowance, once per key', async () => {
    const userId = await newUser();
    const first = await subscriptions.change(userId, {
      plan: 'pro',
      interval: 'month',
      idempotencyKey: 'k1',
    });
    expect(first.charge).toMatchObject({
      kind: 'subscription',
      status: 'succeeded',
      amount: money(1900, 'USD'),
    });
    expect(first.subscription).toMatchObject({
      plan: 'pro',
      interval: 'month',
      status: 'active',
      currency: 'USD',
    });
    const again = await subscriptions.change(userId, {
      plan: 'pro',
      interval: 'month',
      idempotencyKey: 'k1',
    });
    expect(again.charge?.id).toBe(first.charge?.id);
    const usage = await ledger.usage(userId);
    expect(usage.pools.video).toMatchObject({ allowance: 50, used: 0, remaining: 50 });
    const charges = await dataSource.query(`SELECT id FROM billing.charges WHERE user_id = $1`, [
      userId,
    ]);
    expect(charges).toHaveLength(1);
    expect(await events('billing.charge.succeeded.v1', userId)).toHaveLength(1);
  });

  it('a declined card changes nothing and answers 402, and the attempt is recorded', async () => {
    const userId = await newUser();
    const attempt = subscriptions.change(userId, {
      plan: 'max',
      interval: 'month',
      paymentMethod: simulatedMethods.declined,
      idempotencyKey: 'k1',
    });
    await expect(attempt).rejects.toMatchObject({
      problem: { status: 402, type: 'payment-declined' },
    });
    expect(await subscriptions.get(userId)).toMatchObject({ plan: 'free', status: 'free' });
    const [row] = await dataSource.query<{ status: string }[]>(
      `SELECT status FROM billing.charges WHERE user_id = $1`,
      [userId],
    );
    expect(row?.status).toBe('failed');
  });

  it('upgrades at once with a prorated charge and the new allowance minus what was used', async () => {
    const userId = await newUser();
    await subscriptions.change(userId, { plan: 'pro', interval: 'month', idempotencyKey: 'a' });
    await spend(userId, 10);
    // Nov 1 → Dec 1 is 30 days; 15 days left: (49.00 − 19.00) × 15/30 = 15.00 USD.
    clock.advance(15 * DAY);
    const upgrade = await subscriptions.change(userId, {
      plan: 'max',
      interval: 'month',
      idempotencyKey: 'b',
    });
    expect(upgrade.charge).toMatchObject({ kind: 'upgrade', amount: money(1500, 'USD') });
    expect(upgrade.subscription.periodEnd).toEqual(new Date('2026-12-01T12:00:00Z'));
    const usage = await ledger.usage(userId);
    expect(usage.pools.video).toMatchObject({ allowance: 150, used: 10, remaining: 140 });
  });

  it('downgrades and cancels at the end of the term; the renewal applies them and resets the allowance', async () => {
    const userId = await newUser();
    await subscriptions.change(userId, { plan: 'max', interval: 'month', idempotencyKey: 'a' });
    const down = await subscriptions.change(userId, {
      plan: 'rise',
      interval: 'month',
      idempotencyKey: 'b',
    });
    expect(down.charge).toBeNull();
    expect(down.subscription).toMatchObject({
      plan: 'max',
      pendingChange: {
        plan: 'rise',
        interval: 'month',
        effectiveAt: new Date('2026-12-01T12:00:00Z'),
      },
    });
    await spend(userId, 20);
    // The service was down for two cycles: the sweep catches up one cycle at a time.
    clock.set(new Date('2027-01-15T00:00:00Z'));
    await subscriptions.renewDue();
    expect(await events('billing.allowance.reset.v1', userId)).toHaveLength(2);
    const sub = await subscriptions.get(userId);
    expect(sub).toMatchObject({ plan: 'rise', status: 'active', pendingChange: null });
    expect(sub.periodStart).toEqual(new Date('2027-01-01T12:00:00Z'));
    const renewals = await dataSource.query<{ amount: string; plan: string }[]>(
      `SELECT amount, plan FROM billing.charges WHERE user_id = $1 AND kind = 'subscription' ORDER BY created_at`,
      [userId],
    );
    expect(renewals.map((r) => [r.plan, Number(r.amount)])).toEqual([
      ['max', 4900],
      ['rise', 1299],
      ['rise', 1299],
    ]);
    expect((await ledger.usage(userId)).pools.video).toMatchObject({ allowance: 21, used: 0 });
    // Nothing more is due, and running the sweep again charges nothing twice.
    await subscriptions.renewDue();
    expect(await events('billing.allowance.reset.v1', userId)).toHaveLength(2);

    await subscriptions.cancel(userId);
    clock.set(new Date('2027-02-02T00:00:00Z'));
    await subscriptions.renewDue();
    expect(await subscriptions.get(userId)).toMatchObject({ plan: 'free', status: 'free' });
    expect((await ledger.usage(userId)).pools.video.allowance).toBe(1);
  });

  it('credit packs are spent after the allowance and survive the reset', async () => {
    const userId = await newUser();
    const pack = await subscriptions.buyPack(userId, { pack: 'video-10', idempotencyKey: 'p1' });
    expect(pack).toMatchObject({ kind: 'credit_pack', amount: money(999, 'USD') });
    await subscriptions.buyPack(userId, { pack: 'video-10', idempotencyKey: 'p1' }); // a retry
    expect((await ledger.usage(userId)).pools.video).toMatchObject({
      allowance: 1,
      packCredits: 10,
      remaining: 11,
    });
    await spend(userId, 4); // 1 from the allowance, 3 from the pack
    clock.set(new Date('2026-12-01T12:00:00Z'));
    await subscriptions.renewDue();
    expect((await ledger.usage(userId)).pools.video).toMatchObject({
      allowance: 1,
      used: 0,
      packCredits: 7,
      remaining: 8,
    });
  });

  it('refunds by the policy — the seed example — and ends the plan; the processor confirms days later', async () => {
    const userId = await newUser();
    const { charge } = await subscriptions.change(userId, {
      plan: 'pro',
      interval: 'month',
      idempotencyKey: 'a',
    });
    await spend(userId, 45);
    clock.advance(10 * DAY);
    const quote = await refunds.quote(userId, { chargeId: charge!.id, reason: 'not for me' });
    expect(quote).toMatchObject({
      decision: 'approved',
      amount: money(190, 'USD'),
      rule: 'fluxnote.monthly-within-14-days',
    });
    expect(await refunds.list(userId)).toHaveLength(0); // a quote changes nothing

    const refund = await refunds.request(
      userId,
      { chargeId: charge!.id, reason: 'not for me' },
      'r1',
    );
    expect(refund).toMatchObject({
      decision: 'approved',
      status: 'pending',
      amount: money(190, 'USD'),
    });
    expect(await subscriptions.get(userId)).toMatchObject({ plan: 'free' });
    // The same request again answers the same refund; a new one for the same charge pays nothing.
    expect(
      (await refunds.request(userId, { chargeId: charge!.id, reason: 'not for me' }, 'r1')).id,
    ).toBe(refund.id);
    expect(
      await refunds.request(userId, { chargeId: charge!.id, reason: 'again' }, 'r2'),
    ).toMatchObject({
      decision: 'rejected',
      rule: 'already-refunded',
    });

    expect(await refunds.settlePending()).toBe(0);
    clock.advance(3 * DAY);
    expect(await refunds.settlePending()).toBe(1);
    expect((await refunds.list(userId)).find((r) => r.id === refund.id)).toMatchObject({
      status: 'succeeded',
    });
    expect(await events('billing.refund.processed.v1', userId)).toEqual([
      expect.objectContaining({ refundId: refund.id, status: 'succeeded' }),
    ]);
  });

  it('two concurrent requests for one charge never pay twice', async () => {
    const userId = await newUser();
    const { charge } = await subscriptions.change(userId, {
      plan: 'max',
      interval: 'month',
      idempotencyKey: 'a',
    });
    const results = await Promise.all(
      Array.from({ length: 8 }, (_, i) =>
        refunds.request(userId, { chargeId: charge!.id, reason: 'changed my mind' }, `c${i}`),
      ),
    );
    expect(results.filter((r) => r.decision === 'approved')).toHaveLength(1);
    const [paid] = await dataSource.query<{ total: string }[]>(
      `SELECT SUM(amount) AS total FROM billing.refunds WHERE charge_id = $1 AND decision = 'approved'`,
      [charge!.id],
    );
    expect(Number(paid?.total)).toBe(4900);
  });

  it('the same request sent five times at once is decided and paid once', async () => {
    const userId = await newUser();
    const { charge } = await subscriptions.change(userId, {
      plan: 'pro',
      interval: 'month',
      idempotencyKey: 'a',
    });
    const answers = await Promise.all(
      Array.from({ length: 5 }, () =>
        refunds.request(userId, { chargeId: charge!.id, reason: 'x' }, 'same'),
      ),
    );
    expect(new Set(answers.map((r) => r.id)).size).toBe(1);
    expect(await refunds.list(userId)).toHaveLength(1);
  });

  it("a user cannot quote or refund another user's charge", async () => {
    const owner = await newUser();
    const other = await newUser();
    const { charge } = await subscriptions.change(owner, {
      plan: 'pro',
      interval: 'month',
      idempotencyKey: 'a',
    });
    for (const attempt of [
      () => refunds.quote(other, { chargeId: charge!.id, reason: 'x' }),
      () => refunds.request(other, { chargeId: charge!.id, reason: 'x' }, 'k'),
      () => refunds.quote(other, { chargeId: 'not-a-uuid', reason: 'x' }),
    ]) {
      await expect(attempt()).rejects.toMatchObject({ problem: { status: 404 } });
    }
  });

  it('a mistaken upgrade within 24 hours reverts the plan and refunds the upgrade charge', async () => {
    const userId = await newUser();
    await subscriptions.change(userId, { plan: 'rise', interval: 'month', idempotencyKey: 'a' });
    clock.advance(2 * DAY);
    const { charge } = await subscriptions.change(userId, {
      plan: 'max',
      interval: 'month',
      idempotencyKey: 'b',
    });
    clock.advance(3_600_000);
    const refund = await refunds.request(
      userId,
      { chargeId: charge!.id, reason: 'wrong button', kind: 'mistaken_upgrade' },
      'r',
    );
    expect(refund).toMatchObject({
      decision: 'approved',
      rule: 'fluxnote.mistaken-upgrade',
      amount: charge!.amount,
    });
    expect(await subscriptions.get(userId)).toMatchObject({ plan: 'rise', status: 'active' });
    expect((await ledger.usage(userId)).pools.video.allowance).toBe(21);
  });

  it('finds billing errors by itself: the USD price charged in India is refunded the overage and moved to INR', async () => {
    const userId = await newUser('fluxnote', 'IN');
    const { charge } = await subscriptions.change(userId, {
      plan: 'pro',
      interval: 'month',
      currency: 'USD',
      paymentMethod: simulatedMethods.card,
      idempotencyKey: 'a',
    });
    // Pro INR 1,499.00 at 88 INR/USD = 17.04 USD (rounded up), so 1.96 USD was too much.
    const [auto] = await refunds.list(userId);
    expect(auto).toMatchObject({
      source: 'automatic',
      decision: 'approved',
      rule: 'billing-error.regional-price',
      amount: money(196, 'USD'),
      chargeId: charge!.id,
    });
    expect(await subscriptions.get(userId)).toMatchObject({ currency: 'INR', plan: 'pro' });
  });

  it('finds a second charge for the same plan period and refunds it in full', async () => {
    const userId = await newUser();
    const { charge } = await subscriptions.change(userId, {
      plan: 'pro',
      interval: 'month',
      idempotencyKey: 'a',
    });
    // A charge the processor made again for the same period (as a webhook would report it).
    const duplicateId = randomUUID();
    await dataSource.query(
      `INSERT INTO billing.charges (id, user_id, brand, kind, plan, interval, amount, currency, period_start, period_end,
         status, processor, processor_ref, payment_method, idempotency_key, created_at)
       SELECT $1, user_id, brand, kind, plan, interval, amount, currency, period_start, period_end, status, processor,
              'sim_ch_duplicate', payment_method, 'processor:dup', created_at + interval '1 minute'
         FROM billing.charges WHERE id = $2`,
      [duplicateId, charge!.id],
    );
    const refund = await refunds.refundDetectedErrors(userId, duplicateId);
    expect(refund).toMatchObject({
      decision: 'approved',
      rule: 'billing-error.duplicate-charge',
      amount: money(1900, 'USD'),
    });
    // The first charge is not a duplicate of anything.
    expect(await refunds.refundDetectedErrors(userId, charge!.id)).toBeNull();
  });

  it('flux-kontext: within 7 days minus the processing fee; credit packs never', async () => {
    const userId = await newUser('flux-kontext');
    const { charge } = await subscriptions.change(userId, {
      plan: 'pro',
      interval: 'month',
      idempotencyKey: 'a',
    });
    const pack = await subscriptions.buyPack(userId, { pack: 'image-1000', idempotencyKey: 'p' });
    for (let i = 0; i < 3; i++) {
      await spend(userId, 0, 10);
    }
    clock.advance(2 * DAY);
    expect(await refunds.quote(userId, { chargeId: pack.id, reason: 'too many' })).toMatchObject({
      decision: 'rejected',
      rule: 'flux-kontext.credit-purchases',
    });
    const refund = await refunds.request(
      userId,
      { chargeId: charge!.id, reason: 'not what I need' },
      'r',
    );
    expect(refund).toMatchObject({ decision: 'approved', amount: money(1900 - 85, 'USD') });
  });

  it('an agent grants a goodwill refund of what is left, recorded with the agent', async () => {
    const userId = await newUser();
    const { charge } = await subscriptions.change(userId, {
      plan: 'pro',
      interval: 'month',
      idempotencyKey: 'a',
    });
    clock.advance(40 * DAY);
    expect(await refunds.quote(userId, { chargeId: charge!.id, reason: 'please' })).toMatchObject({
      decision: 'rejected',
    });
    const agentId = randomUUID();
    const refund = await refunds.goodwill(
      agentId,
      userId,
      { chargeId: charge!.id, reason: 'testing only' },
      'g',
    );
    expect(refund).toMatchObject({
      decision: 'approved',
      source: 'goodwill',
      agentId,
      amount: money(1900, 'USD'),
    });
    const again = await refunds.goodwill(
      agentId,
      userId,
      { chargeId: charge!.id, reason: 'again' },
      'g2',
    );
    expect(again).toMatchObject({ decision: 'rejected', amount: money(0, 'USD') });
  });

  it('refuses unknown plans and packs and cancelling Free with clear problems', async () => {
    const userId = await newUser();
    const cases: [() => Promise<unknown>, number][] = [
      [
        () =>
          subscriptions.change(userId, { plan: 'ultra', interval: 'month', idempotencyKey: 'x' }),
        400,
      ],
      [() => subscriptions.buyPack(userId, { pack: 'video-1000000', idempotencyKey: 'x' }), 400],
      [() => subscriptions.cancel(userId), 409],
      [
        () =>
          subscriptions.change(userId, {
            plan: 'pro',
            interval: 'month',
            paymentMethod: 'sim_upi',
            idempotencyKey: 'y',
          }),
        400,
      ],
    ];
    for (const [attempt, status] of cases) {
      const error = await attempt().catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ProblemError);
      expect((error as ProblemError).problem.status).toBe(status);
    }
  });
});
