import type { MigrationInterface, QueryRunner } from 'typeorm';

function recordJobEvent(notify: string): string {
  return `
    CREATE OR REPLACE FUNCTION generation.record_job_event() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      IF NEW.status = 'reserving' OR (TG_OP = 'UPDATE' AND NEW.status = OLD.status) THEN
        RETURN NEW;
      END IF;
      PERFORM pg_advisory_xact_lock(hashtext('generation.job_events'), hashtext(NEW.user_id::text));
      INSERT INTO generation.job_events (user_id, job_id, status) VALUES (NEW.user_id, NEW.id, NEW.status);
      ${notify}
      RETURN NEW;
    END $$`;
}

/**
 * The job-events trigger no longer sends its NOTIFY when a submitted job is queued
 * (`reserving` → `queued`, which only the submit does): the submit sends it after its commit,
 * together with the workers' wake-up (`CoalescedNotifier`). A NOTIFY inside the submit's
 * transaction made every submit's commit wait for the others'. Other status changes still
 * notify from the trigger.
 */
export class JobEventsAfterCommit1764600000400 implements MigrationInterface {
  name = 'JobEventsAfterCommit1764600000400';

  async up(q: QueryRunner): Promise<void> {
    await q.query(
      recordJobEvent(`IF NOT (TG_OP = 'UPDATE' AND OLD.status = 'reserving') THEN
        PERFORM pg_notify('generation_job_events', NEW.user_id::text);
      END IF;`),
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(recordJobEvent(`PERFORM pg_notify('generation_job_events', NEW.user_id::text);`));
  }
}
