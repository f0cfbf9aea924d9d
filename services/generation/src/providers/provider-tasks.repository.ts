import type { Sql } from '@fluxnote/persistence';

/** The channel a webhook delivery (or a poll) notifies with the task id it changed. */
export const PROVIDER_TASK_CHANNEL = 'generation_provider_task';
export const HTTP_PROVIDER = 'http';

export const providerTaskStatuses = [
  'queued',
  'running',
  'succeeded',
  'failed',
  'moderated',
  'cancelled',
] as const;
/** Statuses a task never leaves; a stored one is never overwritten. */
export const finalTaskStatuses = ['succeeded', 'failed', 'moderated', 'cancelled'];

/** A task as the provider's API shows it. */
export interface ProviderTask {
  id: string;
  status: (typeof providerTaskStatuses)[number];
  output_url?: string;
  error?: { code?: string; message?: string };
}

/**
 * The rows of `generation.provider_tasks`: what the HTTP provider said of each job's task,
 * from its answers and its webhooks. Reads and writes only; a final status is never
 * overwritten.
 */
export const providerTaskRows = {
  async ofJob(sql: Sql, jobId: string): Promise<ProviderTask | undefined> {
    const [row] = await sql.query<
      {
        task_id: string;
        status: ProviderTask['status'];
        output_url: string | null;
        error: string | null;
      }[]
    >(
      `SELECT task_id, status, output_url, error FROM generation.provider_tasks WHERE job_id = $1`,
      [jobId],
    );
    return row
      ? {
          id: row.task_id,
          status: row.status,
          ...(row.output_url ? { output_url: row.output_url } : {}),
          ...(row.error ? { error: { message: row.error } } : {}),
        }
      : undefined;
  },

  /** Records what the provider said of the job's task, unless the stored one is final. */
  async put(sql: Sql, jobId: string, task: ProviderTask): Promise<void> {
    await sql.query(
      `INSERT INTO generation.provider_tasks (job_id, provider, task_id, status, output_url, error)
       VALUES ($1, $2, $3, $4, $5, $6)
       ON CONFLICT (job_id) DO UPDATE SET status = EXCLUDED.status, output_url = EXCLUDED.output_url,
              error = EXCLUDED.error, updated_at = now()
        WHERE provider_tasks.status <> ALL ($7)`,
      [
        jobId,
        HTTP_PROVIDER,
        task.id,
        task.status,
        task.output_url ?? null,
        task.error?.message ?? null,
        finalTaskStatuses,
      ],
    );
  },

  async isKnown(sql: Sql, taskId: string): Promise<boolean> {
    const rows = await sql.query<{ job_id: string }[]>(
      `SELECT job_id FROM generation.provider_tasks WHERE provider = $1 AND task_id = $2`,
      [HTTP_PROVIDER, taskId],
    );
    return rows.length > 0;
  },

  /**
   * A webhook's word on a task, unless the stored status is final; waiters on the task hear
   * of it at commit. False when nothing changed.
   */
  async deliver(sql: Sql, task: ProviderTask): Promise<boolean> {
    const changed = await sql.query<unknown[]>(
      `WITH changed AS (
         UPDATE generation.provider_tasks
            SET status = $3, output_url = $4, error = $5, updated_at = now()
          WHERE provider = $1 AND task_id = $2
            AND status <> ALL ($7)
         RETURNING task_id
       )
       SELECT pg_notify($6, task_id) FROM changed`,
      [
        HTTP_PROVIDER,
        task.id,
        task.status,
        task.output_url ?? null,
        task.error?.message ?? null,
        PROVIDER_TASK_CHANNEL,
        finalTaskStatuses,
      ],
    );
    return changed.length > 0;
  },
};
