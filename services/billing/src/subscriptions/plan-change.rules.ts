/**
 * SPEC §2, "Upgrade: effective at once, prorated charge for the rest of the
 * cycle" and "Downgrade and cancellation: effective at the end of the current
 * cycle": what a requested plan change does, and what it costs now. Facts in,
 * decision out; `subscription.service.ts` charges and saves what these decide.
 */
import { multiplyRatio, subtract, type Money, type Rounding } from '../money/money';
import type { Interval } from '../plans/plan-catalog';

export type PlanChange =
  /** To Free: the paid term runs out, then Free. */
  | 'cancel_at_term_end'
  /** From Free to a paid plan: a new term from now at the full price, a fresh allowance. */
  | 'start_term'
  /** A higher tier on the same interval: now, for the price difference over the rest of the term. */
  | 'upgrade'
  /** Monthly to annual, same tier or higher: a new annual term now, less the unused month. */
  | 'switch_to_annual'
  /** The plan the user is on, with a change scheduled: the scheduled change is dropped. */
  | 'resume'
  /** The plan the user is on, nothing scheduled: refused (409). */
  | 'already_on'
  /** Anything else (a lower tier, annual to monthly): at the end of the paid term. */
  | 'schedule_at_term_end';

export interface PlanChangeFacts {
  /** The account pays for a term now (not on Free). */
  paidTerm: boolean;
  current: { id: string; rank: number; interval: Interval };
  target: { id: string; rank: number };
  /** The interval asked for. */
  interval: Interval;
  /** A downgrade or cancellation is already scheduled for the term's end. */
  changeScheduled: boolean;
}

export function planChange(facts: PlanChangeFacts): PlanChange {
  const { current, target, interval } = facts;
  if (target.id === 'free') {
    return 'cancel_at_term_end';
  }
  if (!facts.paidTerm) {
    return 'start_term';
  }
  if (target.rank > current.rank && interval === current.interval) {
    return 'upgrade';
  }
  if (interval === 'year' && current.interval === 'month' && target.rank >= current.rank) {
    return 'switch_to_annual';
  }
  if (target.id === current.id && interval === current.interval) {
    return facts.changeScheduled ? 'resume' : 'already_on';
  }
  return 'schedule_at_term_end';
}

/** A paid term, start inclusive, end exclusive. */
export interface Term {
  start: Date;
  end: Date;
}

/**
 * Proration: the share of `price` for what is left of the term at `now` (none
 * once it has ended), rounded once to a minor unit.
 */
export function unusedShare(
  price: Money,
  term: Term,
  now: Date,
  rounding: Rounding = 'half-up',
): Money {
  const left = Math.max(0, term.end.getTime() - now.getTime());
  return multiplyRatio(price, left, term.end.getTime() - term.start.getTime(), rounding);
}

/**
 * What an upgrade charges now: the difference between the two prices, for the
 * rest of the term.
 */
export function upgradeCharge(
  prices: { current: Money; target: Money },
  term: Term,
  now: Date,
): Money {
  return unusedShare(subtract(prices.target, prices.current), term, now);
}

/**
 * What monthly → annual charges now: the annual price, less the unused part of
 * the month paid for (rounded down: the credit never exceeds what is unused).
 */
export function annualSwitchCharge(
  prices: { currentMonthly: Money; targetAnnual: Money },
  term: Term,
  now: Date,
): Money {
  return subtract(prices.targetAnnual, unusedShare(prices.currentMonthly, term, now, 'down'));
}
