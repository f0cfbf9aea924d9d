import type { EntityManager } from 'typeorm';
import type { FinishedJob } from './failure-signals.rules';

/**
 * What the failure signals read from `generation.jobs`, and the once-per-window alert claim
 * in `generation.model_alerts`: reads and writes only. What they mean is
 * failure-signals.rules.ts; failure-signals.ts reads, asks the rules and writes.
 */
export const failureSignalRows = {
  /** The user's latest `limit` finished jobs on the model, newest first. */
  async latestFinished(
    manager: EntityManager,
    userId: string,
    model: string,
    limit: number,
  ): Promise<FinishedJob[]> {
    const rows = await manager.query<{ status: string; failure_reason: string | null }[]>(
      `SELECT status, failure_reason FROM generation.jobs
        WHERE user_id = $1 AND model = $2 AND status IN ('succeeded', 'failed')
        ORDER BY updated_at DESC, id DESC LIMIT $3`,
      [userId, model, limit],
    );
    return rows.map((r) => ({ status: r.status, failureReason: r.failure_reason }));
  },

  /** Per model of `models`, its finished jobs in `mode` since `since`, and how many succeeded. */
  async successCounts(
    manager: EntityManager,
    mode: string,
    models: string[],
    since: Date,
  ): Promise<{ model: string; ok: number; total: number }[]> {
    return manager.query(
      `SELECT model, count(*) FILTER (WHERE status = 'succeeded')::int AS ok, count(*)::int AS total
         FROM generation.jobs
        WHERE mode = $1 AND model = ANY($2) AND status IN ('succeeded', 'failed')
          AND updated_at > $3
        GROUP BY model`,
      [mode, models, since],
    );
  },

  /** The model's jobs finished since `since`, and how many failed for one of `reasons`. */
  async finishedSince(
    manager: EntityManager,
    model: string,
    since: Date,
    reasons: readonly string[],
  ): Promise<{ failed: number; finished: number }> {
    const [row] = await manager.query<{ failed: number; finished: number }[]>(
      `SELECT count(*) FILTER (WHERE status = 'failed' AND failure_reason = ANY($3))::int AS failed,
              count(*)::int AS finished
         FROM generation.jobs
        WHERE model = $1 AND status IN ('succeeded', 'failed') AND updated_at > $2`,
      [model, since, reasons],
    );
    return row;
  },

  /**
   * Claims the model's alert for now; false when it was claimed less than `windowMs` ago.
   * Timed by the database's clock, as the claims before it were.
   */
  async claimAlert(manager: EntityManager, model: string, windowMs: number): Promise<boolean> {
    const claimed = await manager.query<unknown[]>(
      `INSERT INTO generation.model_alerts (model, alerted_at) VALUES ($1, now())
       ON CONFLICT (model) DO UPDATE SET alerted_at = now()
         WHERE generation.model_alerts.alerted_at <= now() - $2 * interval '1 millisecond'
       RETURNING model`,
      [model, windowMs],
    );
    return claimed.length > 0;
  },
};
