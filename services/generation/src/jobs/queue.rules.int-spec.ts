import { randomUUID } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { FixedClock } from '@fluxnote/clock';
import { openTestServiceDatabase, seededRandom, type TestDatabase } from '@fluxnote/testing';
import { generationDatabase } from '../generation.database';
import { JobQueue } from './job-queue';
import { queueTurnSql } from './queue.repository';
import { Lane, nextClaim, queueTurn, type QueuedJob } from './queue.rules';

interface ModelJob extends QueuedJob {
  userId: string;
  status: 'queued' | 'processing' | 'succeeded';
}

describe('the queue in SQL decides as queue.rules.ts does (Postgres)', () => {
  let db: TestDatabase;
  let dataSource: DataSource;
  const clock = new FixedClock(new Date('2026-12-07T10:00:00Z'));
  const limits: Record<string, number> = { 'wan-2.6': 3, 'sora-2-pro': 1 };

  beforeAll(async () => {
    ({ db, dataSource } = await openTestServiceDatabase(
      'generation_queue_rules',
      generationDatabase,
      3,
    ));
  });

  afterAll(async () => {
    await dataSource.destroy();
    await db.drop();
  });

  it.each([1, 2, 3])('on random traffic of users, lanes and models (seed %d)', async (seed) => {
    await dataSource.query(`DELETE FROM generation.jobs`);
    const random = seededRandom(seed);
    const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)];
    const users = Array.from({ length: 5 }, () => randomUUID());
    const queue = new JobQueue(dataSource, clock, { MODEL_CONCURRENCY: limits });
    const jobs: ModelJob[] = [];
    const inLane = (lane: Lane, status: ModelJob['status']) =>
      jobs.filter((j) => j.lane === lane && j.status === status).map((j) => j.turn);
    const orNull = (turns: number[], of: (...n: number[]) => number) =>
      turns.length ? of(...turns) : null;

    const enqueue = async () => {
      const job = {
        id: randomUUID(),
        userId: pick(users),
        model: random() < 0.7 ? 'wan-2.6' : 'sora-2-pro',
        lane: random() < 0.3 ? Lane.Priority : Lane.Shared,
        createdAt: clock.now(),
        status: 'queued' as const,
      };
      const own = jobs
        .filter((j) => j.userId === job.userId && j.lane === job.lane && j.status !== 'succeeded')
        .map((j) => j.turn);
      const expected = queueTurn({
        lowestWaiting: orNull(inLane(job.lane, 'queued'), Math.min),
        highestServing: orNull(inLane(job.lane, 'processing'), Math.max),
        ownersLatest: orNull(own, Math.max),
      });
      const [row] = await dataSource.query<{ turn: string }[]>(
        `INSERT INTO generation.jobs (id, user_id, status, model, mode, prompt, duration_sec,
           aspect_ratio, video_credits, image_credits, lane, created_at, turn)
         VALUES ($1, $2, 'queued', $3, 'text-to-video', 'a fox', 5, '16:9', 1, 0, $4, $5,
                 ${queueTurnSql('$2::uuid', '$4::smallint')})
         RETURNING turn`,
        [job.id, job.userId, job.model, job.lane, job.createdAt],
      );
      // `turn` is a bigint column: pg answers it as text.
      expect(Number(row.turn)).toBe(expected);
      jobs.push({ ...job, turn: expected });
    };

    const claim = async () => {
      const running = (model: string) =>
        jobs.filter((j) => j.model === model && j.status === 'processing').length;
      const expected = nextClaim(
        jobs.filter((j) => j.status === 'queued'),
        running,
        (model) => limits[model],
      );
      const claimed = await queue.claimNext();
      expect(claimed?.id).toBe(expected?.id);
      if (expected) {
        expected.status = 'processing';
      }
    };

    const finish = async () => {
      const running = jobs.filter((j) => j.status === 'processing');
      if (running.length === 0) {
        return;
      }
      const done = pick(running);
      await dataSource.query(`UPDATE generation.jobs SET status = 'succeeded' WHERE id = $1`, [
        done.id,
      ]);
      done.status = 'succeeded';
    };

    for (let step = 0; step < 150; step++) {
      const roll = random();
      await (roll < 0.5 ? enqueue() : roll < 0.8 ? claim() : finish());
      // Jobs a second apart, or several in one millisecond (the claim order's last ties).
      clock.advance(random() < 0.5 ? 0 : 1000);
    }
    expect(jobs.filter((j) => j.status !== 'queued').length).toBeGreaterThan(20);
  });
});
