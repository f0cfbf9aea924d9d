import { money } from '../money/money';
import { detectBillingError, type BillingErrorFacts } from './billing-errors.rules';
import type { DetectedBillingError } from './refund-policy';

const december = new Date('2026-12-01T00:00:00Z');
const usd = (amount: number) => money(amount, 'USD');

function facts(
  charge: Partial<BillingErrorFacts['charge']> = {},
  account: Partial<BillingErrorFacts['account']> = {},
  earlierChargeForSamePeriod: string | null = null,
): BillingErrorFacts {
  return {
    charge: {
      kind: 'subscription',
      plan: 'rise',
      interval: 'month',
      amount: usd(12_99),
      periodStart: december,
      unfulfilled: false,
      ...charge,
    },
    account: { brand: 'fluxnote', country: 'US', endedAt: null, termEnd: december, ...account },
    earlierChargeForSamePeriod,
    inrPerUsd: 88,
  };
}

describe('billing errors the records show (SPEC §4 fluxnote rule 1; seed 001)', () => {
  const rows: [string, BillingErrorFacts, DetectedBillingError | null][] = [
    ['an ordinary renewal', facts(), null],
    [
      'a second charge for the same period (a double charge)',
      facts({}, {}, 'charge-1'),
      { type: 'duplicate', ofChargeId: 'charge-1' },
    ],
    [
      'a renewal charged after the user cancelled',
      facts({}, { endedAt: new Date('2026-11-30T00:00:00Z'), termEnd: null }),
      { type: 'after_cancellation' },
    ],
    [
      'a charge for the period before the cancellation took effect',
      facts(
        { periodStart: new Date('2026-11-01T00:00:00Z') },
        { endedAt: december, termEnd: null },
      ),
      null,
    ],
    [
      'Rise charged in USD to a user in India: the overage over ₹999 at 88 ₹/$ (11.36)',
      facts({}, { country: 'IN' }),
      { type: 'regional_price', overage: usd(1_63) },
    ],
    [
      'Pro charged in USD to a user in India: 19.00 less ₹1,499 (17.04)',
      facts({ plan: 'pro', amount: usd(19_00) }, { country: 'IN' }),
      { type: 'regional_price', overage: usd(1_96) },
    ],
    [
      'Rise annual in USD in India costs less than the INR price: no overage',
      facts({ interval: 'year', amount: usd(95_88) }, { country: 'IN' }),
      null,
    ],
    [
      'a credit pack in USD in India is not a regional-price error',
      facts({ kind: 'credit_pack', plan: null, interval: null }, { country: 'IN' }),
      null,
    ],
    [
      'paid at the processor but never fulfilled, before anything else',
      facts({ unfulfilled: true }, { country: 'IN' }, 'charge-1'),
      { type: 'unfulfilled' },
    ],
    [
      'a double charge is named before the regional overage',
      facts({}, { country: 'IN' }, 'charge-1'),
      { type: 'duplicate', ofChargeId: 'charge-1' },
    ],
  ];
  it.each(rows)('%s', (_what, given, expected) => {
    expect(detectBillingError(given)).toEqual(expected);
  });
});
