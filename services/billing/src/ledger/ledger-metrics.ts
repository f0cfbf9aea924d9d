import type { Registry } from 'prom-client';
import { counterOn, metricsRegistry } from '@fluxnote/telemetry';
import { creditPools, type CreditPool } from './credit-pool';

/** The names the dashboard reads. */
export const ledgerMetricNames = {
  operations: 'fluxnote_credit_operations_total',
  credits: 'fluxnote_credits_total',
} as const;

export type CreditOperation = 'hold' | 'commit' | 'release';

/**
 * Counts one movement of the ledger as it takes effect (a retried call that finds its
 * reservation already held or settled counts nothing): a reservation held, committed or released
 * in `fluxnote_credit_operations_total{operation,pool}`, its credits in
 * `fluxnote_credits_total{operation,pool}`.
 */
export function countCreditsMoved(
  operation: CreditOperation,
  amounts: Record<CreditPool, number>,
  registry: Registry = metricsRegistry,
): void {
  const operations = counterOn(registry, {
    name: ledgerMetricNames.operations,
    help: 'Credit reservations held, committed (spent) or released (given back), per pool',
    labelNames: ['operation', 'pool'] as const,
  });
  const credits = counterOn(registry, {
    name: ledgerMetricNames.credits,
    help: 'Credits held, committed (spent) or released (given back), per pool',
    labelNames: ['operation', 'pool'] as const,
  });
  for (const pool of creditPools) {
    if (amounts[pool] > 0) {
      operations.inc({ operation, pool });
      credits.inc({ operation, pool }, amounts[pool]);
    }
  }
}
