import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Every status a job takes, numbered for the owner's live status stream, written
 * by a trigger so no path that moves a job (submit, worker, settlement, cancel,
 * recovery) can forget it. The trigger takes a per-user lock first, so one
 * user's events are numbered in commit order and a stream resumed after a
 * number misses nothing; it wakes the streams with a NOTIFY at commit.
 */
export class JobEvents1764400000600 implements MigrationInterface {
  name = 'JobEvents1764400000600';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE generation.job_events (
        seq bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        user_id uuid NOT NULL,
        job_id uuid NOT NULL REFERENCES generation.jobs (id) ON DELETE CASCADE,
        status text NOT NULL,
        at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX job_events_user_idx ON generation.job_events (user_id, seq)`);
    await q.query(`CREATE INDEX job_events_job_idx ON generation.job_events (job_id)`);
    await q.query(`
      CREATE FUNCTION generation.record_job_event() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF NEW.status = 'reserving' OR (TG_OP = 'UPDATE' AND NEW.status = OLD.status) THEN
          RETURN NEW;
        END IF;
        PERFORM pg_advisory_xact_lock(hashtext('generation.job_events'), hashtext(NEW.user_id::text));
        INSERT INTO generation.job_events (user_id, job_id, status) VALUES (NEW.user_id, NEW.id, NEW.status);
        PERFORM pg_notify('generation_job_events', NEW.user_id::text);
        RETURN NEW;
      END $$`);
    await q.query(`
      CREATE TRIGGER jobs_record_event AFTER INSERT OR UPDATE OF status ON generation.jobs
        FOR EACH ROW EXECUTE FUNCTION generation.record_job_event()`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TRIGGER jobs_record_event ON generation.jobs`);
    await q.query(`DROP FUNCTION generation.record_job_event()`);
    await q.query(`DROP TABLE generation.job_events`);
  }
}
