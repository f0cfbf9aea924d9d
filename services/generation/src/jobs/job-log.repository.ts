import type { EntityManager } from 'typeorm';
import type { JobLogEntity } from './job-log.entity';

/** Appends one line to a job's log inside the caller's transaction. */
export async function appendJobLog(
  manager: EntityManager,
  /** When, on the platform clock (every time a client sees comes from it). */
  at: Date,
  jobId: string,
  kind: JobLogEntity['kind'],
  message: string,
  data: Record<string, unknown> = {},
): Promise<void> {
  await manager.query(
    `INSERT INTO generation.job_logs (job_id, kind, message, data, at) VALUES ($1, $2, $3, $4, $5)`,
    [jobId, kind, message, JSON.stringify(data), at],
  );
}
