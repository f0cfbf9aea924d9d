import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { SystemClock } from '@fluxnote/clock';
import type { Platform } from '../tools/launcher/platform';
import { JobEntity } from '../services/generation/src/jobs/job.entity';
import { JobQueue } from '../services/generation/src/jobs/job-queue';
import { queueTurnSql } from '../services/generation/src/jobs/queue.repository';
import { WORK_CHANNEL } from '../services/generation/src/jobs/work-channel';
import { fmt, percentile } from './stats';

export interface QueueResult {
  dispatchP50: number;
  dispatchP99: number;
  claimMsAt10k: number;
  claimsPerSecondAt10k: number;
  maxLaneWaitP50: number;
  sharedLaneWaitP50: number;
}

const QUEUED = 10_000;
const USERS = 1_000;
const WORKERS = 8;

/** A new user's first job, queued as a submit queues it (`$1` the lane). */
const insertJob = `INSERT INTO generation.jobs (id, user_id, status, model, mode, prompt, duration_sec,
    aspect_ratio, video_credits, image_credits, lane, created_at, turn)
  SELECT gen_random_uuid(), user_id, 'queued', 'wan-2.6', 'text-to-video', 'bench', 5,
    '16:9', 1, 0, $1, clock_timestamp(), ${queueTurnSql('newcomer.user_id', '$1::smallint')}
    FROM (SELECT gen_random_uuid() AS user_id) AS newcomer
  RETURNING id`;

/**
 * The generation queue on the running platform's schema, with its own workers off: how fast
 * an idle worker picks up a new job (submit's NOTIFY → claim), what a claim costs with
 * 10,000 jobs queued, and how long a Max job waits against a shared-lane job submitted at
 * the same moment into that full queue.
 */
export async function benchQueue(
  platform: Platform,
  log: (line: string) => void,
): Promise<QueueResult> {
  await platform.restart('generation', { WORKER_CONCURRENCY: '0' });
  const dataSource = await new DataSource({
    type: 'postgres',
    url: platform.databaseUrl,
    schema: 'generation',
    entities: [JobEntity],
    poolSize: WORKERS + 4,
  }).initialize();
  const queue = new JobQueue(dataSource, new SystemClock(), {
    MODEL_CONCURRENCY: { 'wan-2.6': 10_000 },
  });
  const finish = (id: string) =>
    dataSource.query(`UPDATE generation.jobs SET status = 'succeeded' WHERE id = $1`, [id]);
  const listener = new Client({ connectionString: platform.databaseUrl });
  try {
    // The submit benchmark's jobs (its workers were off) would only stand in the way.
    await dataSource.query(`DELETE FROM generation.jobs WHERE status IN ('queued', 'processing')`);

    // Dispatch latency: an idle worker woken by the submit's notification.
    await listener.connect();
    await listener.query(`LISTEN ${WORK_CHANNEL}`);
    const dispatch: number[] = [];
    for (let i = 0; i < 200; i++) {
      const woken = new Promise<void>((resolve) => listener.once('notification', () => resolve()));
      const started = performance.now();
      await dataSource.transaction(async (m) => {
        await m.query(insertJob, [1]);
        await m.query('SELECT pg_notify($1, $2)', [WORK_CHANNEL, 'wan-2.6']);
      });
      await woken;
      const job = await queue.claimNext();
      dispatch.push(performance.now() - started);
      if (job) {
        await finish(job.id);
      }
    }
    const dispatchP50 = percentile(dispatch, 50);
    const dispatchP99 = percentile(dispatch, 99);
    log(
      `  dispatch (submit's commit → an idle worker holds the job): p50 ${fmt(dispatchP50, 1)} ms, p99 ${fmt(dispatchP99, 1)} ms`,
    );

    // A full queue: 10,000 jobs of 1,000 users, ten each, with the turns submits give them
    // (each user's n-th job takes turn n).
    await dataSource.query(
      `INSERT INTO generation.jobs (id, user_id, status, model, mode, prompt, duration_sec,
         aspect_ratio, video_credits, image_credits, lane, created_at, turn)
       SELECT gen_random_uuid(), md5('bench-user-' || (i % ${USERS}))::uuid, 'queued', 'wan-2.6',
              'text-to-video', 'bench', 5, '16:9', 1, 0, 1, now() - interval '1 hour' + i * interval '1 ms',
              i / ${USERS}
         FROM generate_series(0, ${QUEUED - 1}) AS i`,
    );
    await dataSource.query('ANALYZE generation.jobs');
    const claimTimes: number[] = [];
    for (let i = 0; i < 100; i++) {
      const started = performance.now();
      const job = await queue.claimNext();
      claimTimes.push(performance.now() - started);
      if (job) {
        await finish(job.id);
      }
    }
    const claimMsAt10k = percentile(claimTimes, 50);

    // Lane wait: workers drain the full queue while a Max user and a new shared-lane user
    // submit at the same moment, every 50 ms.
    const submitted = new Map<string, { lane: number; at: number }>();
    const waits: Record<number, number[]> = { 0: [], 1: [] };
    let claims = 0;
    let draining = true;
    const drainStarted = performance.now();
    const workers = Array.from({ length: WORKERS }, async () => {
      while (draining) {
        const job = await queue.claimNext();
        if (!job) {
          break;
        }
        claims += 1;
        const mark = submitted.get(job.id);
        if (mark) {
          waits[mark.lane].push(performance.now() - mark.at);
        }
        await finish(job.id);
      }
    });
    for (let i = 0; i < 40; i++) {
      for (const lane of [0, 1]) {
        const at = performance.now();
        const [row] = await dataSource.query<{ id: string }[]>(insertJob, [lane]);
        submitted.set(row.id, { lane, at });
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    while (waits[1].length < 40 && performance.now() - drainStarted < 60_000) {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    draining = false;
    await Promise.all(workers);
    const claimsPerSecondAt10k = claims / ((performance.now() - drainStarted) / 1000);
    const maxLaneWaitP50 = percentile(waits[0], 50);
    const sharedLaneWaitP50 = percentile(waits[1], 50);
    log(
      `  a claim with ${fmt(QUEUED)} queued: ${fmt(claimMsAt10k, 1)} ms (p50); ${WORKERS} workers drain ${fmt(claimsPerSecondAt10k)} jobs/s`,
    );
    log(
      `  wait in a full queue, submitted at the same moment: Max lane p50 ${fmt(maxLaneWaitP50)} ms (p99 ${fmt(percentile(waits[0], 99))}), shared lane p50 ${fmt(sharedLaneWaitP50)} ms (p99 ${fmt(percentile(waits[1], 99))}; ${waits[1].length} of 40 served within 60 s)`,
    );
    return {
      dispatchP50,
      dispatchP99,
      claimMsAt10k,
      claimsPerSecondAt10k,
      maxLaneWaitP50,
      sharedLaneWaitP50,
    };
  } finally {
    await listener.end().catch(() => undefined);
    await dataSource.query(`DELETE FROM generation.jobs WHERE prompt = 'bench'`);
    await dataSource.destroy();
  }
}
