import { PreparedStatement, type Sql } from '@fluxnote/persistence';
import { JobEntity } from '../job.entity';
import { queueTurnSql } from '../queue.repository';

// The submit path's statements, prepared once per connection.
const insertJob = new PreparedStatement(
  `WITH job AS (
    INSERT INTO generation.jobs (id, user_id, idempotency_key, status, model, mode, prompt,
      duration_sec, aspect_ratio, template, project_id, video_credits, image_credits, lane,
      failure_reason, failure_detail, created_at, updated_at, voice_clone_id, voice_id,
      face_identity_id, captions, input_image_url)
    VALUES ($1, $2, $3, $15, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $16, $17, $19, $19,
            $20, $21, $22, $23, $24)
    RETURNING id
  )
  INSERT INTO generation.job_logs (job_id, kind, message, data, at)
  SELECT job.id, line.kind, line.message, line.data::jsonb, $19::timestamptz
    FROM job, (VALUES (1, 'input', 'job submitted', $14),
                      (2, 'decision', 'blocked by the content-safety check; nothing reserved', $18)
              ) AS line (n, kind, message, data)
   WHERE line.n = 1 OR $15 = 'blocked'
   ORDER BY line.n`,
);
// Queued, logged and its event written in one statement (atomic on its own: no transaction).
const queueJob = new PreparedStatement<{ created_at: Date; updated_at: Date }>(
  `WITH queued AS (
    UPDATE generation.jobs
       SET status = 'queued', lane = $3, turn = ${queueTurnSql('$4::uuid', '$3::smallint')},
           updated_at = $5::timestamptz
     WHERE id = $1 AND status = 'reserving' RETURNING id, created_at, updated_at
  ), logged AS (
    INSERT INTO generation.job_logs (job_id, kind, message, data, at)
    SELECT id, 'decision', 'credits reserved; job queued', $2, $5::timestamptz FROM queued
  ), event AS (
    INSERT INTO generation.outbox (event_id, topic, key, envelope)
    SELECT $6, $7, $8, $9::jsonb FROM queued
  )
  SELECT created_at, updated_at FROM queued`,
);

/**
 * The submit path's reads and writes of `generation.jobs`, its log and its outbox: each one
 * statement, atomic on its own. What a submit decides is submit-job.use-case.ts.
 */
export const submitRows = {
  /** The user's job submitted with this Idempotency-Key, if any. */
  async byKey(sql: Sql, userId: string, idempotencyKey: string): Promise<JobEntity | null> {
    return sql.getRepository(JobEntity).findOneBy({ userId, idempotencyKey });
  },

  /**
   * The job (`reserving`, or `blocked`) and its first log lines: what was asked, and for a
   * blocked one the check's decision.
   */
  async insert(
    sql: Sql,
    job: JobEntity,
    firstLines: { input: object; blocked: object },
    at: Date,
  ): Promise<void> {
    await insertJob.run(sql, [
      job.id,
      job.userId,
      job.idempotencyKey,
      job.model,
      job.mode,
      job.prompt,
      job.durationSec,
      job.aspectRatio,
      job.template,
      job.projectId,
      job.videoCredits,
      job.imageCredits,
      job.lane,
      JSON.stringify(firstLines.input),
      job.status,
      job.failureReason,
      job.failureDetail,
      JSON.stringify(firstLines.blocked),
      at,
      job.voiceCloneId,
      job.voiceId,
      job.faceIdentityId,
      job.captions,
      job.inputImageUrl,
    ]);
  },

  /**
   * Queues a `reserving` job in its lane at its fair turn, with its log line and its outbox
   * event (`event` as Outbox.row gives it); undefined when it is no longer reserving (its
   * submission was abandoned meanwhile).
   */
  async queue(
    sql: Sql,
    job: JobEntity,
    at: Date,
    event: unknown[],
  ): Promise<{ createdAt: Date; updatedAt: Date } | undefined> {
    const [times] = await queueJob.run(sql, [
      job.id,
      JSON.stringify({
        videoCredits: job.videoCredits,
        imageCredits: job.imageCredits,
        lane: job.lane,
      }),
      job.lane,
      job.userId,
      at,
      ...event,
    ]);
    return times && { createdAt: times.created_at, updatedAt: times.updated_at };
  },

  /** Removes a job that never got its credits (billing refused). */
  async removeReserving(sql: Sql, jobId: string): Promise<void> {
    await sql.getRepository(JobEntity).delete({ id: jobId, status: 'reserving' });
  },
};
