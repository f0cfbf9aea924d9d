import { PreparedStatement, type Sql } from '@fluxnote/persistence';
import { JobEntity } from '../job.entity';
import { queueTurnSql } from '../queue.repository';

// The submit path's statements, prepared once per connection. Each takes the jobs of concurrent
// submits as one JSON array (one statement and one commit for all: submit-job.use-case.ts gathers
// them) and is atomic on its own: every job of the array lands, or none does.
const insertJobs = new PreparedStatement(
  `WITH asked AS (
    SELECT * FROM jsonb_to_recordset($1::jsonb) AS a (n int, id uuid, user_id uuid,
      idempotency_key text, status text, model text, mode text, prompt text, duration_sec int,
      aspect_ratio text, template text, project_id uuid, video_credits int, image_credits int,
      lane smallint, failure_reason text, failure_detail text, at timestamptz,
      voice_clone_id uuid, voice_id text, face_identity_id uuid, captions text,
      input_image_url text, input jsonb, blocked jsonb)
  ), job AS (
    INSERT INTO generation.jobs (id, user_id, idempotency_key, status, model, mode, prompt,
      duration_sec, aspect_ratio, template, project_id, video_credits, image_credits, lane,
      failure_reason, failure_detail, created_at, updated_at, voice_clone_id, voice_id,
      face_identity_id, captions, input_image_url)
    SELECT id, user_id, idempotency_key, status, model, mode, prompt, duration_sec, aspect_ratio,
           template, project_id, video_credits, image_credits, lane, failure_reason,
           failure_detail, at, at, voice_clone_id, voice_id, face_identity_id, captions,
           input_image_url
      FROM asked ORDER BY n
    RETURNING id
  )
  INSERT INTO generation.job_logs (job_id, kind, message, data, at)
  SELECT asked.id, line.kind, line.message, line.data, asked.at
    FROM job JOIN asked USING (id),
         LATERAL (VALUES (1, 'input', 'job submitted', asked.input),
                         (2, 'decision', 'blocked by the content-safety check; nothing reserved',
                          asked.blocked)) AS line (n, kind, message, data)
   WHERE line.n = 1 OR asked.status = 'blocked'
   ORDER BY asked.n, line.n`,
);
// Queued at their fair turns, logged and their events written. Jobs of one user in one lane
// in the same array take consecutive turns, as they would one after another.
const queueJobs = new PreparedStatement<{ id: string; created_at: Date; updated_at: Date }>(
  `WITH asked AS (
    SELECT a.*, row_number() OVER (PARTITION BY a.user_id, a.lane ORDER BY a.n) - 1 AS ahead
      FROM jsonb_to_recordset($1::jsonb) AS a (n int, id uuid, user_id uuid, lane smallint,
        at timestamptz, log jsonb, event_id text, topic text, key text, envelope text)
  ), queued AS (
    UPDATE generation.jobs j
       SET status = 'queued', lane = a.lane,
           turn = ${queueTurnSql('a.user_id', 'a.lane')} + a.ahead, updated_at = a.at
      FROM asked a
     WHERE j.id = a.id AND j.status = 'reserving'
    RETURNING j.id, j.created_at, j.updated_at
  ), logged AS (
    INSERT INTO generation.job_logs (job_id, kind, message, data, at)
    SELECT a.id, 'decision', 'credits reserved; job queued', a.log, a.at
      FROM asked a JOIN queued USING (id) ORDER BY a.n
  ), event AS (
    INSERT INTO generation.outbox (event_id, topic, key, envelope)
    SELECT a.event_id, a.topic, a.key, a.envelope::jsonb
      FROM asked a JOIN queued USING (id) ORDER BY a.n
  )
  SELECT id, created_at, updated_at FROM queued`,
);

/** A new job (`reserving`, or `blocked`) and its first log lines, as `submitRows.insert` takes it. */
export interface NewJob {
  job: JobEntity;
  /** What was asked, and for a blocked job the check's decision. */
  firstLines: { input: object; blocked: object };
  at: Date;
}

/** A `reserving` job to queue, with its outbox event (`event` as Outbox.row gives it). */
export interface JobToQueue {
  job: JobEntity;
  at: Date;
  event: readonly unknown[];
}

/**
 * The submit path's reads and writes of `generation.jobs`, its log and its outbox: each one
 * statement, atomic on its own. What a submit decides is submit-job.use-case.ts.
 */
export const submitRows = {
  /** The user's job submitted with this Idempotency-Key, if any. */
  async byKey(sql: Sql, userId: string, idempotencyKey: string): Promise<JobEntity | null> {
    return sql.getRepository(JobEntity).findOneBy({ userId, idempotencyKey });
  },

  /** The jobs and their first log lines, in one statement: all of them, or none. */
  async insert(sql: Sql, jobs: readonly NewJob[]): Promise<void> {
    const rows = jobs.map(({ job, firstLines, at }, n) => ({
      n,
      id: job.id,
      user_id: job.userId,
      idempotency_key: job.idempotencyKey,
      status: job.status,
      model: job.model,
      mode: job.mode,
      prompt: job.prompt,
      duration_sec: job.durationSec,
      aspect_ratio: job.aspectRatio,
      template: job.template,
      project_id: job.projectId,
      video_credits: job.videoCredits,
      image_credits: job.imageCredits,
      lane: job.lane,
      failure_reason: job.failureReason,
      failure_detail: job.failureDetail,
      at,
      voice_clone_id: job.voiceCloneId,
      voice_id: job.voiceId,
      face_identity_id: job.faceIdentityId,
      captions: job.captions,
      input_image_url: job.inputImageUrl,
      input: firstLines.input,
      blocked: firstLines.blocked,
    }));
    await insertJobs.run(sql, [JSON.stringify(rows)]);
  },

  /**
   * Queues `reserving` jobs in their lanes at their fair turns, with their log lines and outbox
   * events, in one statement; answers each with its times, or undefined when it is no longer
   * reserving (its submission was abandoned meanwhile).
   */
  async queue(
    sql: Sql,
    jobs: readonly JobToQueue[],
  ): Promise<({ createdAt: Date; updatedAt: Date } | undefined)[]> {
    const rows = jobs.map(({ job, at, event: [eventId, topic, key, envelope] }, n) => ({
      n,
      id: job.id,
      user_id: job.userId,
      lane: job.lane,
      at,
      log: { videoCredits: job.videoCredits, imageCredits: job.imageCredits, lane: job.lane },
      event_id: eventId,
      topic,
      key,
      envelope,
    }));
    const queued = new Map(
      (await queueJobs.run(sql, [JSON.stringify(rows)])).map((row) => [row.id, row]),
    );
    return jobs.map(({ job }) => {
      const times = queued.get(job.id);
      return times && { createdAt: times.created_at, updatedAt: times.updated_at };
    });
  },

  /** Removes a job that never got its credits (billing refused). */
  async removeReserving(sql: Sql, jobId: string): Promise<void> {
    await sql.getRepository(JobEntity).delete({ id: jobId, status: 'reserving' });
  },
};
