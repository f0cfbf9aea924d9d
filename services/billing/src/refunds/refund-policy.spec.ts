import fc from 'fast-check';
import { money, type Currency, type Money } from '../money/money';
import { planIds } from '../plans/plan-catalog';
import {
  decideRefund,
  refundKinds,
  type ChargeKind,
  type DetectedBillingError,
  type RefundCase,
} from './refund-policy';

const DAY = 86_400_000;
const charged = new Date('2026-10-01T12:00:00Z');
const after = (days: number, hours = 0): Date =>
  new Date(charged.getTime() + days * DAY + hours * 3_600_000);

function usd(amount: number) {
  return money(amount, 'USD');
}

function pro(over: Partial<RefundCase> = {}): RefundCase {
  return {
    brand: 'fluxnote',
    now: after(10),
    request: { reason: 'not for me' },
    charge: {
      kind: 'subscription',
      plan: 'pro',
      interval: 'month',
      amount: usd(1900),
      createdAt: charged,
    },
    alreadyRefunded: usd(0),
    usage: {
      videoUsed: 0,
      imageUsed: 0,
      videoAllowance: 50,
      imageAllowance: 2500,
      imageGenerations: 0,
    },
    billingError: null,
    technicalIssue: null,
    ...over,
  };
}

function kontext(over: Partial<RefundCase> = {}): RefundCase {
  return pro({
    brand: 'flux-kontext',
    now: after(3),
    request: { reason: 'the results do not fit my work' },
    ...over,
  });
}

describe('refund policy — fluxnote', () => {
  it.each([
    // The seed's worked example: Pro at 19.00 USD, day 10, 45 of 50 videos used → 1.90 USD.
    ['seed example: day 10, 45/50 videos', { videoUsed: 45 }, 190],
    ['nothing used: full refund', {}, 1900],
    ['image share larger than video share decides', { videoUsed: 5, imageUsed: 2000 }, 380],
    ['everything used: nothing left', { videoUsed: 50 }, 0],
    ['more than the allowance used (packs): nothing left', { videoUsed: 70 }, 0],
  ])('monthly within 14 days — %s', (_name, used, expected) => {
    const decision = decideRefund(
      pro({
        usage: {
          videoUsed: 0,
          imageUsed: 0,
          videoAllowance: 50,
          imageAllowance: 2500,
          imageGenerations: 0,
          ...used,
        },
      }),
    );
    expect(decision.amount).toEqual(usd(expected));
    expect(decision.rule).toBe('fluxnote.monthly-within-14-days');
    expect(decision.decision).toBe(expected > 0 ? 'approved' : 'rejected');
    if (expected > 0) {
      expect(decision.action).toBe('end_subscription');
    }
  });

  it('explains the seed example in plain words with the amounts', () => {
    const decision = decideRefund(
      pro({
        usage: {
          videoUsed: 45,
          imageUsed: 0,
          videoAllowance: 50,
          imageAllowance: 2500,
          imageGenerations: 0,
        },
      }),
    );
    expect(decision.explanation).toContain('45 of 50 video credits');
    expect(decision.explanation).toContain('1.90 USD');
    expect(decision.explanation).toContain('19.00 USD');
  });

  it('rejects a monthly charge after 14 days and names the appeal path', () => {
    const decision = decideRefund(pro({ now: after(14, 1) }));
    expect(decision).toMatchObject({
      decision: 'rejected',
      rule: 'fluxnote.outside-refund-window',
    });
    expect(decision.amount).toEqual(usd(0));
    expect(decision.explanation).toMatch(/support/);
    expect(decision.explanation).toMatch(/goodwill/);
  });

  it('annual within 30 days keeps the value of the used credits', () => {
    // Pro annual: 9.99 × 12 = 119.88 USD; one video credit = 11 988 / (12 × 50) = 19.98 cents; 30 used → 599.4 → 600.
    const decision = decideRefund(
      pro({
        now: after(20),
        charge: {
          kind: 'subscription',
          plan: 'pro',
          interval: 'year',
          amount: usd(11_988),
          createdAt: charged,
        },
        usage: {
          videoUsed: 30,
          imageUsed: 0,
          videoAllowance: 50,
          imageAllowance: 2500,
          imageGenerations: 0,
        },
      }),
    );
    expect(decision).toMatchObject({
      decision: 'approved',
      rule: 'fluxnote.annual-within-30-days',
    });
    expect(decision.amount).toEqual(usd(11_988 - 600));
  });

  it('annual after 30 days is rejected', () => {
    const decision = decideRefund(
      pro({
        now: after(31),
        charge: {
          kind: 'subscription',
          plan: 'pro',
          interval: 'year',
          amount: usd(11_988),
          createdAt: charged,
        },
      }),
    );
    expect(decision).toMatchObject({
      decision: 'rejected',
      rule: 'fluxnote.outside-refund-window',
    });
  });

  it('a mistaken upgrade within 24 hours is refunded in full and reverted', () => {
    const upgrade = {
      kind: 'upgrade' as const,
      plan: 'max' as const,
      interval: 'month' as const,
      amount: usd(2000),
      createdAt: charged,
    };
    const within = decideRefund(
      pro({
        now: after(0, 23),
        charge: upgrade,
        request: { reason: 'clicked the wrong plan', kind: 'mistaken_upgrade' },
      }),
    );
    expect(within).toMatchObject({
      decision: 'approved',
      rule: 'fluxnote.mistaken-upgrade',
      action: 'revert_upgrade',
    });
    expect(within.amount).toEqual(usd(2000));
    // After 24 hours the ordinary monthly rule applies (prorated by usage).
    const late = decideRefund(
      pro({
        now: after(2),
        charge: upgrade,
        request: { reason: 'clicked the wrong plan', kind: 'mistaken_upgrade' },
        usage: {
          videoUsed: 75,
          imageUsed: 0,
          videoAllowance: 150,
          imageAllowance: 7500,
          imageGenerations: 0,
        },
      }),
    );
    expect(late).toMatchObject({ decision: 'approved', rule: 'fluxnote.monthly-within-14-days' });
    expect(late.amount).toEqual(usd(1000));
  });

  it.each<[string, DetectedBillingError, number, string]>([
    [
      'a double charge',
      { type: 'duplicate', ofChargeId: 'c1' },
      1900,
      'billing-error.duplicate-charge',
    ],
    [
      'a charge after cancellation',
      { type: 'after_cancellation' },
      1900,
      'billing-error.charge-after-cancellation',
    ],
    [
      'the USD price charged in India',
      { type: 'regional_price', overage: usd(600) },
      600,
      'billing-error.regional-price',
    ],
    [
      'a payment the platform never fulfilled',
      { type: 'unfulfilled' },
      1900,
      'billing-error.unfulfilled-payment',
    ],
  ])('a detected billing error (%s) is refunded at any time', (_name, error, amount, rule) => {
    const decision = decideRefund(
      pro({
        now: after(200),
        billingError: error,
        usage: {
          videoUsed: 50,
          imageUsed: 2500,
          videoAllowance: 50,
          imageAllowance: 2500,
          imageGenerations: 250,
        },
      }),
    );
    expect(decision).toMatchObject({ decision: 'approved', rule });
    expect(decision.amount).toEqual(usd(amount));
  });

  it('a reported billing error that the records do not show goes to review', () => {
    const decision = decideRefund(
      pro({ now: after(40), request: { reason: 'charged twice?', kind: 'billing_error' } }),
    );
    expect(decision).toMatchObject({ decision: 'review', rule: 'fluxnote.billing-error-review' });
    expect(decision.amount).toEqual(usd(0));
  });

  it('credit packs are not refunded', () => {
    const decision = decideRefund(
      pro({
        charge: {
          kind: 'credit_pack',
          plan: null,
          interval: null,
          amount: usd(999),
          createdAt: charged,
        },
        now: after(1),
      }),
    );
    expect(decision).toMatchObject({ decision: 'rejected', rule: 'fluxnote.credit-packs' });
  });

  it('a charge refunded once is not refunded again by the policy', () => {
    const decision = decideRefund(pro({ alreadyRefunded: usd(190) }));
    expect(decision).toMatchObject({ decision: 'rejected', rule: 'already-refunded' });
  });
});

describe('refund policy — flux-kontext', () => {
  it('within 7 days and at most 50 generations: full refund minus the processing fee', () => {
    // 19.00 USD: fee = 2.9 % (55.1 → 55) + 30 = 85 cents.
    const decision = decideRefund(
      kontext({
        usage: {
          videoUsed: 0,
          imageUsed: 500,
          videoAllowance: 50,
          imageAllowance: 2500,
          imageGenerations: 50,
        },
      }),
    );
    expect(decision).toMatchObject({ decision: 'approved', rule: 'flux-kontext.within-7-days' });
    expect(decision.amount).toEqual(usd(1900 - 85));
    expect(decision.explanation).toContain('0.85 USD');
  });

  it.each<[string, Partial<RefundCase>, string]>([
    ['after 7 days', { now: after(7, 1) }, 'flux-kontext.after-7-days'],
    [
      'more than 50 generations',
      {
        usage: {
          videoUsed: 0,
          imageUsed: 510,
          videoAllowance: 50,
          imageAllowance: 2500,
          imageGenerations: 51,
        },
      },
      'flux-kontext.over-50-generations',
    ],
    ['no reason', { request: { reason: '   ' } }, 'flux-kontext.no-reason'],
    [
      'a credit purchase',
      {
        charge: {
          kind: 'credit_pack',
          plan: null,
          interval: null,
          amount: usd(499),
          createdAt: charged,
        },
      },
      'flux-kontext.credit-purchases',
    ],
  ])('rejects %s', (_name, over, rule) => {
    const decision = decideRefund(kontext(over));
    expect(decision).toMatchObject({ decision: 'rejected', rule });
    expect(decision.amount).toEqual(usd(0));
  });

  it('a mistaken annual plan becomes monthly: annual − one month − fee', () => {
    // Pro annual 119.88 USD; monthly 19.00; fee = 2.9 % of 119.88 (347.65 → 348) + 30 = 378.
    const decision = decideRefund(
      kontext({
        request: { reason: 'I meant monthly', kind: 'mistaken_annual' },
        charge: {
          kind: 'subscription',
          plan: 'pro',
          interval: 'year',
          amount: usd(11_988),
          createdAt: charged,
        },
      }),
    );
    expect(decision).toMatchObject({
      decision: 'approved',
      rule: 'flux-kontext.mistaken-annual',
      action: 'convert_to_monthly',
    });
    expect(decision.amount).toEqual(usd(11_988 - 1900 - 378));
  });

  it('technical errors unresolved for 14 days go to an agent; earlier ones wait; resolved ones are rejected', () => {
    const request = { reason: 'every render errors out', kind: 'technical_error' as const };
    expect(
      decideRefund(
        kontext({
          now: after(20),
          request,
          technicalIssue: { reportedAt: after(2), resolvedAt: null },
        }),
      ),
    ).toMatchObject({
      decision: 'review',
      rule: 'flux-kontext.technical-error',
    });
    expect(
      decideRefund(
        kontext({
          now: after(10),
          request,
          technicalIssue: { reportedAt: after(2), resolvedAt: null },
        }),
      ),
    ).toMatchObject({
      decision: 'rejected',
      rule: 'flux-kontext.technical-error-pending',
    });
    expect(
      decideRefund(
        kontext({
          now: after(20),
          request,
          technicalIssue: { reportedAt: after(2), resolvedAt: after(5) },
        }),
      ),
    ).toMatchObject({
      decision: 'rejected',
      rule: 'flux-kontext.technical-error-resolved',
    });
  });

  it('INR charges keep an INR processing fee', () => {
    const decision = decideRefund(
      kontext({
        charge: {
          kind: 'subscription',
          plan: 'pro',
          interval: 'month',
          amount: money(149_900, 'INR'),
          createdAt: charged,
        },
        alreadyRefunded: money(0, 'INR'),
      }),
    );
    // 2.9 % of 149 900 = 4 347.1 → 4 347, + 2 500 fixed.
    expect(decision.amount).toEqual(money(149_900 - 4347 - 2500, 'INR'));
  });
});

function billingError(
  type: DetectedBillingError['type'] | null,
  overage: Money,
): DetectedBillingError | null {
  switch (type) {
    case null:
      return null;
    case 'duplicate':
      return { type, ofChargeId: 'an-earlier-charge' };
    case 'after_cancellation':
    case 'unfulfilled':
      return { type };
    case 'regional_price':
      return { type, overage };
  }
}

describe('refund policy — invariants (property tests)', () => {
  const currency = fc.constantFrom<Currency>('USD', 'INR');
  const refundCase = fc
    .record({
      brand: fc.constantFrom('fluxnote' as const, 'flux-kontext' as const),
      currency,
      amount: fc.integer({ min: 0, max: 5_000_000 }),
      refundedShare: fc.integer({ min: 0, max: 120 }),
      kind: fc.constantFrom<ChargeKind>('subscription', 'upgrade', 'credit_pack'),
      plan: fc.constantFrom(...planIds),
      interval: fc.constantFrom('month' as const, 'year' as const),
      ageHours: fc.integer({ min: 0, max: 24 * 400 }),
      requestKind: fc.option(fc.constantFrom(...refundKinds), { nil: undefined }),
      reason: fc.string({ maxLength: 20 }),
      videoUsed: fc.integer({ min: 0, max: 2000 }),
      imageUsed: fc.integer({ min: 0, max: 100_000 }),
      videoAllowance: fc.integer({ min: 0, max: 200 }),
      imageAllowance: fc.integer({ min: 0, max: 10_000 }),
      imageGenerations: fc.integer({ min: 0, max: 500 }),
      billingError: fc.option(
        fc.constantFrom(
          'after_cancellation' as const,
          'duplicate' as const,
          'regional_price' as const,
          'unfulfilled' as const,
        ),
        { nil: null },
      ),
      overage: fc.integer({ min: -1000, max: 10_000_000 }),
      issueAgeDays: fc.option(fc.integer({ min: 0, max: 60 }), { nil: null }),
      resolved: fc.boolean(),
    })
    .map((r): RefundCase => {
      const amount = money(r.amount, r.currency);
      const now = new Date(charged.getTime() + r.ageHours * 3_600_000);
      return {
        brand: r.brand,
        now,
        request: { reason: r.reason, kind: r.requestKind },
        charge: {
          kind: r.kind,
          plan: r.kind === 'credit_pack' ? null : r.plan,
          interval: r.kind === 'credit_pack' ? null : r.interval,
          amount,
          createdAt: charged,
        },
        alreadyRefunded: money(Math.floor((r.amount * r.refundedShare) / 100), r.currency),
        usage: {
          videoUsed: r.videoUsed,
          imageUsed: r.imageUsed,
          videoAllowance: r.videoAllowance,
          imageAllowance: r.imageAllowance,
          imageGenerations: r.imageGenerations,
        },
        billingError: billingError(r.billingError, money(r.overage, r.currency)),
        technicalIssue:
          r.issueAgeDays === null
            ? null
            : {
                reportedAt: new Date(now.getTime() - r.issueAgeDays * DAY),
                resolvedAt: r.resolved ? now : null,
              },
      };
    });

  it('never negative, never more than what is left of the charge, always integral, always explained', () => {
    fc.assert(
      fc.property(refundCase, (c) => {
        const d = decideRefund(c);
        const leftOfCharge = Math.max(0, c.charge.amount.amount - c.alreadyRefunded.amount);
        expect(Number.isSafeInteger(d.amount.amount)).toBe(true);
        expect(d.amount.currency).toBe(c.charge.amount.currency);
        expect(d.amount.amount).toBeGreaterThanOrEqual(0);
        expect(d.amount.amount).toBeLessThanOrEqual(leftOfCharge);
        expect(d.rule.length).toBeGreaterThan(0);
        expect(d.explanation.length).toBeGreaterThan(20);
        // Only an approval pays, and an approval always pays something.
        expect(d.decision === 'approved').toBe(d.amount.amount > 0);
      }),
      { numRuns: 3000 },
    );
  });

  it('a charge already refunded in part is only ever paid again for a billing error, and never beyond the charge', () => {
    fc.assert(
      fc.property(refundCase, (c) => {
        fc.pre(c.alreadyRefunded.amount > 0);
        const d = decideRefund(c);
        if (d.decision === 'approved') {
          expect(c.billingError).not.toBeNull();
          expect(c.alreadyRefunded.amount + d.amount.amount).toBeLessThanOrEqual(
            c.charge.amount.amount,
          );
        }
      }),
      { numRuns: 2000 },
    );
  });

  it('is a pure function: the same facts give the same decision', () => {
    fc.assert(
      fc.property(refundCase, (c) => {
        expect(decideRefund(structuredClone(c))).toEqual(decideRefund(c));
      }),
      { numRuns: 500 },
    );
  });
});
