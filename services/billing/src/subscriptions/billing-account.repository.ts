import type { EntityManager } from 'typeorm';
import { ProblemError } from '@fluxnote/contracts';
import type { Sql } from '@fluxnote/persistence';
import type { Currency } from '../money/money';
import type { Brand, Interval, PlanId } from '../plans/plan-catalog';

// The rows of `billing.credit_accounts` as billing accounts: reads and writes only. What a plan
// change does to one is plan-change.rules.ts; subscription.service.ts reads, asks and writes.

/** A user's billing account: plan, paid term, allowance cycle and pending change. */
export interface BillingAccount {
  userId: string;
  brand: Brand;
  plan: PlanId;
  interval: Interval;
  currency: Currency;
  country: string | null;
  /** The allowance cycle (a month, also on annual plans). */
  periodStart: Date;
  periodEnd: Date;
  /** The paid term (a month or a year); null on Free. */
  termStart: Date | null;
  termEnd: Date | null;
  pendingPlan: PlanId | null;
  pendingInterval: Interval | null;
  paymentMethod: string | null;
  /** The e-mandate the saved method is charged under (an Indian card saved through a setup). */
  paymentMandate: string | null;
  /** When the last paid term ended (cancellation or failed renewal). */
  endedAt: Date | null;
}

interface AccountRow {
  user_id: string;
  brand: Brand;
  plan: PlanId;
  interval: Interval;
  currency: Currency;
  country: string | null;
  period_start: Date;
  period_end: Date;
  term_start: Date | null;
  term_end: Date | null;
  pending_plan: PlanId | null;
  pending_interval: Interval | null;
  payment_method: string | null;
  payment_mandate: string | null;
  ended_at: Date | null;
}

const columns = `user_id, brand, plan, interval, currency, country, period_start, period_end, term_start,
  term_end, pending_plan, pending_interval, payment_method, payment_mandate, ended_at`;

function toAccount(r: AccountRow): BillingAccount {
  return {
    userId: r.user_id,
    brand: r.brand,
    plan: r.plan,
    interval: r.interval,
    currency: r.currency,
    country: r.country,
    periodStart: r.period_start,
    periodEnd: r.period_end,
    termStart: r.term_start,
    termEnd: r.term_end,
    pendingPlan: r.pending_plan,
    pendingInterval: r.pending_interval,
    paymentMethod: r.payment_method,
    paymentMandate: r.payment_mandate,
    endedAt: r.ended_at,
  };
}

const notOpenedType = 'billing-account-not-opened';

/** No billing account for the user (it opens when accounts' registration arrives). */
export function accountNotOpened(): ProblemError {
  return new ProblemError({
    type: notOpenedType,
    title: 'Not found',
    status: 404,
    detail: 'No billing account for this user.',
  });
}

export function isAccountNotOpened(error: unknown): boolean {
  return error instanceof ProblemError && error.problem.type === notOpenedType;
}

function notOpened(): never {
  throw accountNotOpened();
}

async function selectAccount(
  manager: EntityManager,
  userId: string,
  condition: string,
  params: unknown[] = [],
): Promise<BillingAccount | null> {
  const rows = await manager.query<AccountRow[]>(
    `SELECT ${columns} FROM billing.credit_accounts WHERE user_id = $1 ${condition}`,
    [userId, ...params],
  );
  return rows[0] ? toAccount(rows[0]) : null;
}

export async function readAccount(manager: EntityManager, userId: string): Promise<BillingAccount> {
  return (await selectAccount(manager, userId, '')) ?? notOpened();
}

/** Reads and locks the account for the rest of the transaction: changes to one account run one at a time. */
export async function lockAccount(manager: EntityManager, userId: string): Promise<BillingAccount> {
  return (await selectAccount(manager, userId, 'FOR UPDATE')) ?? notOpened();
}

/** The users whose allowance cycle ended by `now`, the longest ended first. */
export async function dueAccounts(sql: Sql, now: Date, limit: number): Promise<string[]> {
  const rows = await sql.query<{ user_id: string }[]>(
    `SELECT user_id FROM billing.credit_accounts WHERE period_end <= $1 ORDER BY period_end LIMIT $2`,
    [now, limit],
  );
  return rows.map((r) => r.user_id);
}

/** Locks the account if its allowance cycle has ended and no one else is renewing it. */
export function lockDueAccount(
  manager: EntityManager,
  userId: string,
  now: Date,
): Promise<BillingAccount | null> {
  return selectAccount(manager, userId, 'AND period_end <= $2 FOR UPDATE SKIP LOCKED', [now]);
}

/** Writes every mutable field of the account back. */
export async function saveAccount(manager: EntityManager, a: BillingAccount): Promise<void> {
  await manager.query(
    `UPDATE billing.credit_accounts
        SET plan = $2, interval = $3, currency = $4, country = $5, period_start = $6, period_end = $7,
            term_start = $8, term_end = $9, pending_plan = $10, pending_interval = $11,
            payment_method = $12, ended_at = $13, payment_mandate = $14
      WHERE user_id = $1`,
    [
      a.userId,
      a.plan,
      a.interval,
      a.currency,
      a.country,
      a.periodStart,
      a.periodEnd,
      a.termStart,
      a.termEnd,
      a.pendingPlan,
      a.pendingInterval,
      a.paymentMethod,
      a.endedAt,
      a.paymentMandate,
    ],
  );
}
