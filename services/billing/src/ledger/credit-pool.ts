/** The two credit pools (SPEC §2). */
export const creditPools = ['video', 'image'] as const;
export type CreditPool = (typeof creditPools)[number];

/** Credits of each pool: what a hold, a grant or a job's price is made of. */
export interface CreditAmounts {
  video: number;
  image: number;
}

export interface PoolBalance {
  allowance: number;
  used: number;
  reserved: number;
  packCredits: number;
}

/**
 * What is left to hold in a pool. Pack credits count after the plan allowance;
 * the sum never goes negative.
 */
export function remaining(balance: PoolBalance): number {
  return Math.max(0, balance.allowance + balance.packCredits - balance.used - balance.reserved);
}

/** Adds one calendar month, clamping to the last day of a shorter month (Jan 31 → Feb 28/29). */
export function addMonths(date: Date, months: number): Date {
  const result = new Date(date.getTime());
  const day = result.getUTCDate();
  result.setUTCDate(1);
  result.setUTCMonth(result.getUTCMonth() + months);
  const lastDay = new Date(
    Date.UTC(result.getUTCFullYear(), result.getUTCMonth() + 1, 0),
  ).getUTCDate();
  result.setUTCDate(Math.min(day, lastDay));
  return result;
}
