import type { EntityManager } from 'typeorm';
import type { Sql } from '@fluxnote/persistence';

/**
 * The rows job-controls.ts changes in `generation.jobs` and `generation.job_shares`: reads
 * and writes only. Which job may be cancelled, deleted or shared is decided in
 * job-controls.ts, written here as each statement's condition on the job's status.
 */
export const jobControlRows = {
  /** Cancels the user's job if it is still queued; false when it is not (or not theirs). */
  async cancelQueued(
    manager: EntityManager,
    userId: string,
    jobId: string,
    at: Date,
  ): Promise<boolean> {
    const [rows] = await manager.query<[{ id: string }[], number]>(
      `UPDATE generation.jobs SET status = 'cancelled', refunded = false, updated_at = $3,
              failure_reason = 'cancelled', failure_detail = 'Cancelled before it started.'
        WHERE id = $1 AND user_id = $2 AND status = 'queued' RETURNING id`,
      [jobId, userId, at],
    );
    return rows.length > 0;
  },

  /** Marks a cancelled job's hold released, once: false when it was marked already. */
  async markCancelledRefunded(manager: EntityManager, jobId: string): Promise<boolean> {
    const [rows] = await manager.query<[{ id: string }[], number]>(
      `UPDATE generation.jobs SET refunded = true WHERE id = $1 AND status = 'cancelled' AND NOT refunded
        RETURNING id`,
      [jobId],
    );
    return rows.length > 0;
  },

  /** Deletes the user's job if its status is one of `statuses`; false when it is not. */
  async deleteIn(
    sql: Sql,
    userId: string,
    jobId: string,
    statuses: readonly string[],
  ): Promise<boolean> {
    const [rows] = await sql.query<[{ id: string }[], number]>(
      `DELETE FROM generation.jobs WHERE id = $1 AND user_id = $2 AND status = ANY ($3) RETURNING id`,
      [jobId, userId, statuses],
    );
    return rows.length > 0;
  },

  async queuedOfProject(sql: Sql, userId: string, projectId: string): Promise<string[]> {
    const rows = await sql.query<{ id: string }[]>(
      `SELECT id FROM generation.jobs WHERE user_id = $1 AND project_id = $2 AND status = 'queued'`,
      [userId, projectId],
    );
    return rows.map((r) => r.id);
  },

  /** The project's cancelled jobs whose hold is not released yet. */
  async unreleasedOfProject(sql: Sql, userId: string, projectId: string): Promise<string[]> {
    const rows = await sql.query<{ id: string }[]>(
      `SELECT id FROM generation.jobs
        WHERE user_id = $1 AND project_id = $2 AND status = 'cancelled' AND NOT refunded`,
      [userId, projectId],
    );
    return rows.map((r) => r.id);
  },

  /** The project's jobs whose status is not one of `statuses`, locked until the transaction ends. */
  async lockOthersOfProject(
    manager: EntityManager,
    userId: string,
    projectId: string,
    statuses: readonly string[],
  ): Promise<string[]> {
    const rows = await manager.query<{ id: string }[]>(
      `SELECT id FROM generation.jobs
        WHERE user_id = $1 AND project_id = $2 AND NOT (status = ANY ($3)) FOR UPDATE`,
      [userId, projectId, statuses],
    );
    return rows.map((r) => r.id);
  },

  /** Deletes every job of the project; how many. */
  async deleteProject(manager: EntityManager, userId: string, projectId: string): Promise<number> {
    const [deleted] = await manager.query<[{ id: string }[], number]>(
      `DELETE FROM generation.jobs WHERE user_id = $1 AND project_id = $2 RETURNING id`,
      [userId, projectId],
    );
    return deleted.length;
  },

  /** The job's one share link, replacing any earlier one. */
  async putShare(sql: Sql, jobId: string, tokenHash: Buffer, at: Date): Promise<void> {
    await sql.query(
      `INSERT INTO generation.job_shares (job_id, token_hash, created_at) VALUES ($1, $2, $3)
       ON CONFLICT (job_id) DO UPDATE SET token_hash = $2, created_at = $3`,
      [jobId, tokenHash, at],
    );
  },

  async removeShare(sql: Sql, jobId: string): Promise<void> {
    await sql.query(`DELETE FROM generation.job_shares WHERE job_id = $1`, [jobId]);
  },

  async sharedJobId(sql: Sql, tokenHash: Buffer): Promise<string | undefined> {
    const [row] = await sql.query<{ job_id: string }[]>(
      `SELECT job_id FROM generation.job_shares WHERE token_hash = $1`,
      [tokenHash],
    );
    return row?.job_id;
  },
};
