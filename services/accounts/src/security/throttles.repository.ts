import type { EntityManager } from 'typeorm';
import type { Sql } from '@fluxnote/persistence';
import type { CounterState } from './login.rules';

/**
 * The rows of `accounts.throttles`, one failure counter per key: reads and writes only.
 * What a failure does to a counter is `afterFailure` of login.rules.ts; login-throttle.ts
 * reads, asks the rule and writes.
 */
export const throttles = {
  async lockedUntil(sql: Sql, key: string): Promise<Date | null> {
    const [row] = await sql.query<{ locked_until: Date | null }[]>(
      `SELECT locked_until FROM accounts.throttles WHERE key = $1`,
      [key],
    );
    return row?.locked_until ?? null;
  },

  /** The counter, created empty at `now` if new, locked until the transaction ends. */
  async lock(manager: EntityManager, key: string, now: Date): Promise<CounterState> {
    await manager.query(
      `INSERT INTO accounts.throttles (key, failures, window_started_at, last_failure_at)
       VALUES ($1, 0, $2, $2) ON CONFLICT (key) DO NOTHING`,
      [key, now],
    );
    const [row] = await manager.query<
      { failures: number; window_started_at: Date; last_failure_at: Date; lockouts: number }[]
    >(
      `SELECT failures, window_started_at, last_failure_at, lockouts
         FROM accounts.throttles WHERE key = $1 FOR UPDATE`,
      [key],
    );
    return {
      failures: row.failures,
      windowStartedAt: row.window_started_at,
      lastFailureAt: row.last_failure_at,
      lockouts: row.lockouts,
    };
  },

  /** Stores the counter; a lockout, when given, replaces the one stored. */
  async save(
    manager: EntityManager,
    key: string,
    next: CounterState,
    lockedUntil: Date | null,
  ): Promise<void> {
    await manager.query(
      `UPDATE accounts.throttles SET failures = $2, window_started_at = $3, last_failure_at = $4,
         lockouts = $5, locked_until = COALESCE($6, locked_until) WHERE key = $1`,
      [key, next.failures, next.windowStartedAt, next.lastFailureAt, next.lockouts, lockedUntil],
    );
  },

  async remove(sql: Sql, keys: string[]): Promise<void> {
    await sql.query(`DELETE FROM accounts.throttles WHERE key = ANY($1)`, [keys]);
  },
};
