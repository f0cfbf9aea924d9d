import type { Sql } from '@fluxnote/persistence';

/** A change of one of the user's jobs, in their stream's order. */
export interface JobEvent {
  seq: number;
  jobId: string;
  status: string;
  at: Date;
}

/** The rows of `generation.job_events` (each user's job-status stream): reads only. */
export const jobEventRows = {
  /** Whether the job is the user's and shown (a job still reserving credits is not). */
  async isShownJob(sql: Sql, userId: string, jobId: string): Promise<boolean> {
    const rows = await sql.query<unknown[]>(
      `SELECT 1 FROM generation.jobs WHERE id = $1 AND user_id = $2 AND status <> 'reserving'`,
      [jobId, userId],
    );
    return rows.length > 0;
  },

  /** The user's newest sequence number, 0 before their first event. */
  async lastSeq(sql: Sql, userId: string): Promise<number> {
    const [row] = await sql.query<{ seq: string | null }[]>(
      `SELECT max(seq) AS seq FROM generation.job_events WHERE user_id = $1`,
      [userId],
    );
    return Number(row?.seq ?? 0);
  },

  /** The user's events after `afterSeq`, oldest first, at most 500. */
  async after(sql: Sql, userId: string, afterSeq: number): Promise<JobEvent[]> {
    const rows = await sql.query<{ seq: string; job_id: string; status: string; at: Date }[]>(
      `SELECT seq, job_id, status, at FROM generation.job_events
        WHERE user_id = $1 AND seq > $2 ORDER BY seq LIMIT 500`,
      [userId, afterSeq],
    );
    return rows.map((r) => ({ seq: Number(r.seq), jobId: r.job_id, status: r.status, at: r.at }));
  },
};
