import type { DataSource } from 'typeorm';
import { problemOf } from '@fluxnote/testing';
import type { LedgerService } from '../ledger/ledger.service';
import type { SubscriptionService } from '../subscriptions/subscription.service';
import { useStripeFixture } from '../testing/stripe-fixture';

describe('Stripe disputes (SDK against a local Stripe double, Postgres)', () => {
  const fixture = useStripeFixture('billing_stripe_disputes');
  const { seconds, newUser, events, deliver } = fixture;
  let dataSource: DataSource;
  let ledger: LedgerService;
  let subscriptions: SubscriptionService;
  beforeAll(() => {
    ({ dataSource, ledger, subscriptions } = fixture.opened());
  });

  function dispute(
    id: string,
    paymentIntent: string,
    status: string,
    amount = 999,
  ): Record<string, unknown> {
    return {
      id,
      object: 'dispute',
      amount,
      currency: 'usd',
      charge: `ch_of_${paymentIntent}`,
      payment_intent: paymentIntent,
      reason: 'fraudulent',
      status,
      evidence_details: { due_by: seconds() + 7 * 86_400, has_evidence: false },
    };
  }

  it('freezes what is left of a disputed charge’s credits, tells support once, and unfreezes on a win', async () => {
    const userId = await newUser();
    const pack = await subscriptions.buyPack(userId, {
      pack: 'video-10',
      paymentMethod: `pm_card_visa_${userId}`,
      idempotencyKey: 'disputed-pack',
    });
    await ledger.reserve(`job-${userId}`, userId, { video: 3, image: 0 });
    await ledger.commit(`job-${userId}`, 'job succeeded');
    expect((await ledger.usage(userId)).pools.video.remaining).toBe(8); // 1 of Free + 10 − 3

    const id = `du_${userId}`;
    const opened = deliver(
      'charge.dispute.created',
      dispute(id, pack.processorRef!, 'needs_response'),
    );
    expect((await opened.send()).outcome).toBe('handled');
    expect((await opened.send()).outcome).toBe('duplicate');
    // The same dispute in another event (Stripe's order is not guaranteed): nothing more.
    const restated = deliver(
      'charge.dispute.created',
      dispute(id, pack.processorRef!, 'needs_response'),
    );
    expect((await restated.send()).outcome).toBe('handled');
    expect((await ledger.usage(userId)).pools.video).toMatchObject({ reserved: 8, remaining: 0 });
    expect(await events('billing.dispute.opened.v1', userId)).toEqual([
      {
        disputeId: id,
        userId,
        chargeId: pack.id,
        chargeKind: 'credit_pack',
        amount: { amount: 999, currency: 'USD' },
        reason: 'fraudulent',
        evidenceDueBy: new Date((seconds() + 7 * 86_400) * 1000).toISOString(),
        frozenCredits: { video: 8, image: 0 },
      },
    ]);
    // Frozen credits cannot be spent.
    expect(
      await problemOf(ledger.reserve(`job2-${userId}`, userId, { video: 1, image: 0 })),
    ).toMatchObject({ status: 402 });

    // Still open: an update that is not a close changes nothing.
    expect(
      (
        await deliver(
          'charge.dispute.closed',
          dispute(id, pack.processorRef!, 'under_review'),
        ).send()
      ).outcome,
    ).toBe('ignored');
    const won = deliver('charge.dispute.closed', dispute(id, pack.processorRef!, 'won'));
    expect((await won.send()).outcome).toBe('handled');
    expect((await ledger.usage(userId)).pools.video).toMatchObject({ reserved: 0, remaining: 8 });
    expect(await events('billing.dispute.closed.v1', userId)).toEqual([
      { disputeId: id, userId, outcome: 'won', frozenCredits: { video: 8, image: 0 } },
    ]);
    // A late "lost" for a dispute already closed changes nothing.
    await deliver('charge.dispute.closed', dispute(id, pack.processorRef!, 'lost')).send();
    expect((await ledger.usage(userId)).pools.video.remaining).toBe(8);
  });

  it('keeps the credits of a lost dispute, even one whose opening never arrived, and ignores others’ payments', async () => {
    const userId = await newUser();
    const pack = await subscriptions.buyPack(userId, {
      pack: 'video-10',
      paymentMethod: `pm_card_visa_${userId}`,
      idempotencyKey: 'lost-pack',
    });
    const id = `du_lost_${userId}`;
    const lost = deliver('charge.dispute.closed', dispute(id, pack.processorRef!, 'lost'));
    expect((await lost.send()).outcome).toBe('handled');
    expect((await ledger.usage(userId)).pools.video).toMatchObject({
      reserved: 0,
      used: 10,
      remaining: 1,
    });
    expect(await events('billing.dispute.opened.v1', userId)).toHaveLength(1);
    expect(await events('billing.dispute.closed.v1', userId)).toEqual([
      { disputeId: id, userId, outcome: 'lost', frozenCredits: { video: 10, image: 0 } },
    ]);
    const [row] = await dataSource.query<{ status: string; closed_at: Date | null }[]>(
      `SELECT status, closed_at FROM billing.disputes WHERE id = $1`,
      [id],
    );
    expect(row).toMatchObject({ status: 'lost', closed_at: expect.any(Date) });

    const elsewhere = deliver(
      'charge.dispute.created',
      dispute('du_elsewhere', 'pi_unknown', 'needs_response'),
    );
    expect((await elsewhere.send()).outcome).toBe('ignored');
  });
});
