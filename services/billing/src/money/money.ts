/**
 * Money in integer minor units (USD cents, INR paise) with its currency (SPEC §2).
 * Every operation keeps amounts integral; ratios are computed exactly with
 * BigInt and rounded once, so no float ever touches an amount.
 */
export const currencies = ['USD', 'INR'] as const;
export type Currency = (typeof currencies)[number];

export interface Money {
  readonly amount: number;
  readonly currency: Currency;
}

export function isCurrency(value: string): value is Currency {
  return (currencies as readonly string[]).includes(value);
}

export function money(amount: number, currency: Currency): Money {
  if (!Number.isSafeInteger(amount)) {
    throw new RangeError(`money amounts are integer minor units, got ${amount}`);
  }
  return { amount, currency };
}

export function zero(currency: Currency): Money {
  return money(0, currency);
}

function sameCurrency(a: Money, b: Money): void {
  if (a.currency !== b.currency) {
    throw new RangeError(`cannot combine ${a.currency} with ${b.currency}`);
  }
}

export function add(a: Money, b: Money): Money {
  sameCurrency(a, b);
  return money(a.amount + b.amount, a.currency);
}

export function subtract(a: Money, b: Money): Money {
  sameCurrency(a, b);
  return money(a.amount - b.amount, a.currency);
}

export function minMoney(a: Money, b: Money): Money {
  sameCurrency(a, b);
  return a.amount <= b.amount ? a : b;
}

/** Never below zero. */
export function nonNegative(a: Money): Money {
  return a.amount < 0 ? zero(a.currency) : a;
}

export type Rounding = 'down' | 'half-up' | 'up';

/**
 * `a × numerator / denominator`, rounded once to a minor unit.
 * Refunds round down (never pay a fraction more than the rule gives);
 * fees and prices round half up.
 */
export function multiplyRatio(
  a: Money,
  numerator: number,
  denominator: number,
  rounding: Rounding = 'half-up',
): Money {
  if (!Number.isSafeInteger(numerator) || !Number.isSafeInteger(denominator) || denominator <= 0) {
    throw new RangeError(`a ratio needs integers and a positive denominator`);
  }
  const product = BigInt(a.amount) * BigInt(numerator);
  const d = BigInt(denominator);
  const negative = product < 0n;
  const magnitude = negative ? -product : product;
  let quotient = magnitude / d;
  const rest = magnitude % d;
  if (rest !== 0n) {
    const roundAway =
      rounding === 'up' ? !negative : rounding === 'half-up' ? rest * 2n >= d : negative;
    if (roundAway) {
      quotient += 1n;
    }
  }
  return money(Number(negative ? -quotient : quotient), a.currency);
}

/** `a × basisPoints / 10 000` (290 bp = 2.9 %). */
export function percentage(a: Money, basisPoints: number, rounding: Rounding = 'half-up'): Money {
  return multiplyRatio(a, basisPoints, 10_000, rounding);
}

const minorDigits: Record<Currency, number> = { USD: 2, INR: 2 };
const symbols: Record<Currency, string> = { USD: 'USD', INR: 'INR' };

/** "19.00 USD", "1,499.00 INR" — for explanations people read. */
export function formatMoney(a: Money): string {
  const digits = minorDigits[a.currency];
  const scale = 10 ** digits;
  const sign = a.amount < 0 ? '-' : '';
  const magnitude = Math.abs(a.amount);
  const major = Math.floor(magnitude / scale).toLocaleString('en-US');
  const minor = String(magnitude % scale).padStart(digits, '0');
  return `${sign}${major}.${minor} ${symbols[a.currency]}`;
}
