import type { MigrationInterface, QueryRunner } from 'typeorm';

/** An image-to-video job's input: the https URL of the still to animate. Gone with the job. */
export class InputImage1764600000300 implements MigrationInterface {
  name = 'InputImage1764600000300';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE generation.jobs ADD COLUMN input_image_url text`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE generation.jobs DROP COLUMN input_image_url`);
  }
}
