import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A user's voice clones and face identities ("likenesses"): the sample or photo itself, kept
 * only here, private to its owner, destroyed when they delete it or their account. A job
 * names the ones it uses; a finished job keeps no copy (the reference clears when the
 * likeness is deleted). Also the job's other creative options (voice id, captions).
 */
export class Likenesses1764600000200 implements MigrationInterface {
  name = 'Likenesses1764600000200';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE generation.likenesses (
        id uuid PRIMARY KEY,
        user_id uuid NOT NULL,
        kind text NOT NULL CHECK (kind IN ('voice', 'face')),
        name text NOT NULL,
        media_type text NOT NULL,
        data bytea NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(
      `CREATE INDEX likenesses_user_idx ON generation.likenesses (user_id, kind, created_at)`,
    );
    await q.query(`
      ALTER TABLE generation.jobs
        ADD COLUMN voice_clone_id uuid REFERENCES generation.likenesses (id) ON DELETE SET NULL,
        ADD COLUMN face_identity_id uuid REFERENCES generation.likenesses (id) ON DELETE SET NULL,
        ADD COLUMN voice_id text,
        ADD COLUMN captions text`);
    await q.query(
      `CREATE INDEX jobs_voice_clone_idx ON generation.jobs (voice_clone_id) WHERE voice_clone_id IS NOT NULL`,
    );
    await q.query(
      `CREATE INDEX jobs_face_identity_idx ON generation.jobs (face_identity_id) WHERE face_identity_id IS NOT NULL`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE generation.jobs
        DROP COLUMN captions, DROP COLUMN voice_id, DROP COLUMN face_identity_id, DROP COLUMN voice_clone_id`);
    await q.query(`DROP TABLE generation.likenesses`);
  }
}
