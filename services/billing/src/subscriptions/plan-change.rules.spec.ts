import { money, type Money } from '../money/money';
import {
  annualSwitchCharge,
  planChange,
  unusedShare,
  upgradeCharge,
  type PlanChange,
  type PlanChangeFacts,
} from './plan-change.rules';

const usd = (amount: number) => money(amount, 'USD');
const inr = (amount: number) => money(amount, 'INR');
const november = { start: new Date('2026-11-01T00:00:00Z'), end: new Date('2026-12-01T00:00:00Z') };
const day = (n: number) => new Date(Date.UTC(2026, 10, 1 + n));

const tier = { free: 0, rise: 1, pro: 2, max: 3 } as const;
type Tier = keyof typeof tier;
function facts(
  from: Tier | null,
  fromInterval: 'month' | 'year',
  to: Tier,
  interval: 'month' | 'year',
  changeScheduled = false,
): PlanChangeFacts {
  const current = from ?? 'free';
  return {
    paidTerm: from !== null,
    current: { id: current, rank: tier[current], interval: fromInterval },
    target: { id: to, rank: tier[to] },
    interval,
    changeScheduled,
  };
}

describe('what a plan change does (SPEC §2; seed 001: "upgrading is instant and prorated")', () => {
  const rows: [string, PlanChangeFacts, PlanChange][] = [
    ['Free → Pro: a new paid term now', facts(null, 'month', 'pro', 'month'), 'start_term'],
    ['Free → Max annual: a new paid term now', facts(null, 'month', 'max', 'year'), 'start_term'],
    ['Pro → Max, monthly: upgrade now', facts('pro', 'month', 'max', 'month'), 'upgrade'],
    ['Rise → Pro, annual: upgrade now', facts('rise', 'year', 'pro', 'year'), 'upgrade'],
    [
      'Pro monthly → Pro annual: a new annual term now',
      facts('pro', 'month', 'pro', 'year'),
      'switch_to_annual',
    ],
    [
      'Rise monthly → Max annual: a new annual term now',
      facts('rise', 'month', 'max', 'year'),
      'switch_to_annual',
    ],
    [
      'Max → Rise: a downgrade at the end of the cycle',
      facts('max', 'month', 'rise', 'month'),
      'schedule_at_term_end',
    ],
    [
      'Pro annual → Pro monthly: at the end of the term',
      facts('pro', 'year', 'pro', 'month'),
      'schedule_at_term_end',
    ],
    [
      'Max monthly → Pro annual: a lower tier, at the end of the cycle',
      facts('max', 'month', 'pro', 'year'),
      'schedule_at_term_end',
    ],
    [
      'a paid plan → Free: cancelled at the end of the cycle',
      facts('pro', 'month', 'free', 'month'),
      'cancel_at_term_end',
    ],
    ['the plan one is on: refused', facts('pro', 'month', 'pro', 'month'), 'already_on'],
    [
      'the plan one is on, with a downgrade scheduled: the downgrade is dropped',
      facts('pro', 'month', 'pro', 'month', true),
      'resume',
    ],
  ];
  it.each(rows)('%s', (_what, change, expected) => {
    expect(planChange(change)).toBe(expected);
  });
});

describe('what a change charges now (the one proration rule)', () => {
  const rows: [string, () => Money, Money][] = [
    [
      'Pro → Max on day 10 of 30: the 30.00 difference for 20 days',
      () => upgradeCharge({ current: usd(19_00), target: usd(49_00) }, november, day(10)),
      usd(20_00),
    ],
    [
      'Rise → Max in India halfway through: ₹1,500 of the ₹3,000 difference',
      () => upgradeCharge({ current: inr(999_00), target: inr(3999_00) }, november, day(15)),
      inr(1500_00),
    ],
    [
      'an upgrade on the first day: the whole difference',
      () => upgradeCharge({ current: usd(12_99), target: usd(19_00) }, november, day(0)),
      usd(6_01),
    ],
    [
      'an upgrade once the term has ended: nothing',
      () => upgradeCharge({ current: usd(19_00), target: usd(49_00) }, november, day(31)),
      usd(0),
    ],
    [
      'Rise monthly → Pro annual halfway: 119.88 less the unused 6.49 (rounded down)',
      () =>
        annualSwitchCharge(
          { currentMonthly: usd(12_99), targetAnnual: usd(119_88) },
          november,
          day(15),
        ),
      usd(113_39),
    ],
    [
      'monthly → annual on the last moment of the month: the full annual price',
      () =>
        annualSwitchCharge(
          { currentMonthly: usd(19_00), targetAnnual: usd(119_88) },
          november,
          november.end,
        ),
      usd(119_88),
    ],
  ];
  it.each(rows)('%s', (_what, charge, expected) => {
    expect(charge()).toEqual(expected);
  });

  it('rounds the share once, half up unless told otherwise', () => {
    // 10.00 for 1 of 3 days left = 3.333…
    const term = { start: new Date(0), end: new Date(3 * 86_400_000) };
    const twoDaysIn = new Date(2 * 86_400_000);
    expect(unusedShare(usd(10_00), term, twoDaysIn)).toEqual(usd(3_33));
    expect(unusedShare(usd(10_00), term, twoDaysIn, 'up')).toEqual(usd(3_34));
  });
});
