import type { Sql } from '@fluxnote/persistence';
import type { SlaAttainment } from './weekly-reports';

/** What the weekly report counts in `support.tickets`: reads only. weekly-reports.ts ranks. */
export const reportRows = {
  /** Per category, the tickets opened in [from, to) and in [before, from). */
  async categoryCounts(
    sql: Sql,
    before: Date,
    from: Date,
    to: Date,
  ): Promise<{ category: string; count: number; previous: number }[]> {
    return sql.query(
      `SELECT category,
              count(*) FILTER (WHERE opened_at >= $2)::int AS count,
              count(*) FILTER (WHERE opened_at < $2)::int AS previous
         FROM support.tickets
        WHERE opened_at >= $1 AND opened_at < $3
        GROUP BY category`,
      [before, from, to],
    );
  },

  /** Per plan and channel, of the tickets opened in [from, to): first responses met, late, waiting. */
  async firstResponses(
    sql: Sql,
    from: Date,
    to: Date,
    now: Date,
  ): Promise<Omit<SlaAttainment, 'attainment'>[]> {
    return sql.query(
      `SELECT plan, channel, count(*)::int AS tickets,
              count(*) FILTER (WHERE first_response_at <= due_at)::int AS met,
              count(*) FILTER (WHERE first_response_at > due_at
                                  OR (first_response_at IS NULL AND due_at <= $3))::int AS breached,
              count(*) FILTER (WHERE first_response_at IS NULL AND due_at > $3)::int AS pending
         FROM support.tickets
        WHERE opened_at >= $1 AND opened_at < $2
        GROUP BY plan, channel
        ORDER BY array_position(ARRAY['max', 'pro', 'rise', 'free'], plan), channel`,
      [from, to, now],
    );
  },
};
