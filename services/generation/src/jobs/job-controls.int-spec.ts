import { randomUUID } from 'node:crypto';
import { Client } from 'pg';
import type { DataSource } from 'typeorm';
import { FixedClock } from '@fluxnote/clock';
import { ProblemError } from '@fluxnote/contracts';
import { Outbox } from '@fluxnote/messaging';
import { CoalescedNotifier } from '@fluxnote/persistence';
import { AccountStanding } from '@fluxnote/platform';
import {
  expectEventually,
  openTestServiceDatabase,
  problemOf,
  type TestDatabase,
} from '@fluxnote/testing';
import type { BillingLedger } from '../billing/billing-ledger';
import { generationDatabase } from '../generation.database';
import { generationConfigSchema } from '../config/generation.config';
import { JobControls } from './job-controls';
import { JOB_EVENTS_CHANNEL, JobStatusStream } from './job-status-stream';
import { WORK_CHANNEL } from './work-channel';
import { SubmitJobUseCase } from './use-cases/submit-job.use-case';
import { CatalogService } from '../catalog/catalog.service';
import { RuleBasedSafetyCheck } from '../safety/prompt-safety';
import { Likenesses } from '../likenesses/likenesses';
import { JobQueue } from './job-queue';
import { queueTurnSql } from './queue.repository';
import { PromptApprovals } from '../safety/prompt-approvals';
import { OUTPUT_MODERATION } from './job.entity';
import { metricsRegistry } from '@fluxnote/telemetry';
import { metricValue } from '@fluxnote/testing';
import { GenerationMetrics, generationMetricNames, readQueue } from './generation-metrics';

describe('queue, cancel, delete, share and follow a job (Postgres)', () => {
  let db: TestDatabase;
  let dataSource: DataSource;
  let controls: JobControls;
  const clock = new FixedClock(new Date('2026-11-23T15:00:00Z'));
  /** Billing's side, recorded; `down` makes it unreachable. */
  const billing = {
    released: [] as string[],
    down: false,
    release(jobId: string) {
      if (this.down) {
        return Promise.reject(ProblemError.unavailable('billing unreachable'));
      }
      this.released.push(jobId);
      return Promise.resolve({ key: jobId, status: 'released' });
    },
  };

  beforeAll(async () => {
    ({ db, dataSource } = await openTestServiceDatabase(
      'generation_controls',
      generationDatabase,
      5,
    ));
    controls = new JobControls(dataSource, billing as unknown as BillingLedger, clock);
  });

  afterAll(async () => {
    await dataSource.destroy();
    await db.drop();
  });

  async function job(
    userId: string,
    status: string,
    projectId: string | null = null,
    model = 'wan-2.6',
  ): Promise<string> {
    const id = randomUUID();
    await dataSource.query(
      `INSERT INTO generation.jobs (id, user_id, status, model, mode, prompt, duration_sec, aspect_ratio,
         video_credits, image_credits, lane, project_id, output_url, created_at, turn)
       VALUES ($1, $2, $3, $7, 'text-to-video', 'a fox', 5, '16:9', 2, 0, 1, $4, $5, $6,
               CASE WHEN $3 = 'queued' THEN ${queueTurnSql('$2::uuid', '1')} ELSE 0 END)`,
      [
        id,
        userId,
        status,
        projectId,
        status === 'succeeded' ? `sim://out/${id}.mp4` : null,
        clock.now(),
        model,
      ],
    );
    await dataSource.query(
      `INSERT INTO generation.job_logs (job_id, kind, message, data) VALUES ($1, 'input', 'job submitted', '{}')`,
      [id],
    );
    return id;
  }

  const rowOf = async (id: string) =>
    (
      await dataSource.query<{ status: string; refunded: boolean; failure_reason: string }[]>(
        `SELECT status, refunded, failure_reason FROM generation.jobs WHERE id = $1`,
        [id],
      )
    )[0];

  it('cancels a queued job and releases its hold at once; a running job is refused', async () => {
    const owner = randomUUID();
    const queued = await job(owner, 'queued');
    const cancelled = await controls.cancel(owner, queued);
    expect(cancelled).toMatchObject({
      status: 'cancelled',
      refunded: true,
      failureReason: 'cancelled',
    });
    expect(billing.released).toEqual([queued]);
    expect(await problemOf(controls.cancel(owner, queued))).toMatchObject({ status: 409 });
    const running = await job(owner, 'processing');
    expect(await problemOf(controls.cancel(owner, running))).toMatchObject({
      status: 409,
      jobStatus: 'processing',
    });
    expect(await problemOf(controls.cancel(randomUUID(), running))).toMatchObject({ status: 404 });
  });

  it('keeps a cancelled job’s hold to be released later when billing is down, and releases it once', async () => {
    const owner = randomUUID();
    const queued = await job(owner, 'queued');
    billing.down = true;
    try {
      expect((await controls.cancel(owner, queued)).status).toBe('cancelled');
    } finally {
      billing.down = false;
    }
    expect(await rowOf(queued)).toMatchObject({ status: 'cancelled', refunded: false });
    // not deleted while its hold is held: the job is the record that it must be released
    billing.down = true;
    try {
      expect(await problemOf(controls.delete(owner, queued))).toMatchObject({ status: 503 });
    } finally {
      billing.down = false;
    }
    // the recovery pass
    await controls.releaseCancelled(queued);
    await controls.releaseCancelled(queued);
    expect(await rowOf(queued)).toMatchObject({ refunded: true });
    const logs = await dataSource.query<{ message: string }[]>(
      `SELECT message FROM generation.job_logs WHERE job_id = $1 AND kind = 'settlement'`,
      [queued],
    );
    expect(logs).toHaveLength(1);
  });

  it('deletes a job with its log and share link; a running one is refused; others cannot', async () => {
    const owner = randomUUID();
    const done = await job(owner, 'succeeded');
    const link = await controls.share(owner, done);
    expect(link.token).toMatch(/^[A-Za-z0-9_-]{32}$/);
    expect((await controls.shared(link.token)).id).toBe(done);
    expect(await problemOf(controls.delete(randomUUID(), done))).toMatchObject({ status: 404 });
    await controls.delete(owner, done);
    for (const table of ['jobs', 'job_logs', 'job_shares']) {
      const column = table === 'jobs' ? 'id' : 'job_id';
      expect(
        await dataSource.query(`SELECT 1 FROM generation.${table} WHERE ${column} = $1`, [done]),
      ).toEqual([]);
    }
    expect(await problemOf(controls.shared(link.token))).toMatchObject({ status: 404 });
    const running = await job(owner, 'processing');
    expect(await problemOf(controls.delete(owner, running))).toMatchObject({ status: 409 });
  });

  it('shares a finished output by a revocable link; a new link replaces the old', async () => {
    const owner = randomUUID();
    const done = await job(owner, 'succeeded');
    const first = await controls.share(owner, done);
    const second = await controls.share(owner, done);
    expect(second.token).not.toBe(first.token);
    expect(await problemOf(controls.shared(first.token))).toMatchObject({ status: 404 });
    expect((await controls.shared(second.token)).outputUrl).toBe(`sim://out/${done}.mp4`);
    await controls.unshare(owner, done);
    expect(await problemOf(controls.shared(second.token))).toMatchObject({ status: 404 });
    expect(await problemOf(controls.shared('not-a-token'))).toMatchObject({ status: 404 });
    const failed = await job(owner, 'failed');
    expect(await problemOf(controls.share(owner, failed))).toMatchObject({ status: 409 });
  });

  it('deletes a project’s jobs, cancelling queued ones, but not while one runs', async () => {
    const owner = randomUUID();
    const project = randomUUID();
    const finished = await job(owner, 'succeeded', project);
    const queued = await job(owner, 'queued', project);
    const running = await job(owner, 'processing', project);
    const elsewhere = await job(owner, 'succeeded');
    expect(await problemOf(controls.deleteProject(owner, project))).toMatchObject({
      status: 409,
      running: [running],
    });
    expect(await rowOf(queued)).toMatchObject({ status: 'cancelled', refunded: true });
    await dataSource.query(`UPDATE generation.jobs SET status = 'failed' WHERE id = $1`, [running]);
    expect(await controls.deleteProject(owner, project)).toBe(3);
    expect(await rowOf(finished)).toBeUndefined();
    expect(await rowOf(elsewhere)).toMatchObject({ status: 'succeeded' });
    expect(await problemOf(controls.deleteProject(owner, project))).toMatchObject({ status: 404 });
    expect(await problemOf(controls.deleteProject(randomUUID(), 'x'))).toMatchObject({
      status: 404,
    });
  });

  it('numbers every status a job takes for its owner’s live stream, from any path that moves it', async () => {
    const stream = new JobStatusStream(
      dataSource,
      generationConfigSchema.parse({
        DATABASE_URL: db.url,
        BILLING_GRPC_URL: 'localhost:1',
        ACCOUNTS_GRPC_URL: 'localhost:1',
      }),
    );
    try {
      const owner = randomUUID();
      const first = await job(owner, 'queued');
      // from now on: woken by the worker's claim
      const waiting = stream.waitAfter(owner, null, -1, 10_000);
      await new Promise((resolve) => setTimeout(resolve, 100));
      await dataSource.query(`UPDATE generation.jobs SET status = 'processing' WHERE id = $1`, [
        first,
      ]);
      const woken = await waiting;
      expect(woken.events.map((e) => [e.jobId, e.status])).toEqual([[first, 'processing']]);

      await dataSource.query(`UPDATE generation.jobs SET status = 'succeeded' WHERE id = $1`, [
        first,
      ]);
      const second = await job(owner, 'queued');
      await controls.cancel(owner, second);
      const all = await stream.waitAfter(owner, null, 0, 0);
      expect(all.events.map((e) => [e.jobId, e.status])).toEqual([
        [first, 'queued'],
        [first, 'processing'],
        [first, 'succeeded'],
        [second, 'queued'],
        [second, 'cancelled'],
      ]);
      // one job's stream, resumed after its first event
      const one = await stream.waitAfter(owner, second, all.events[0].seq, 0);
      expect(one.events.map((e) => e.status)).toEqual(['queued', 'cancelled']);
      expect(one.lastSeq).toBe(all.lastSeq);
      expect(await problemOf(stream.waitAfter(randomUUID(), second, -1, 0))).toMatchObject({
        status: 404,
      });
      // deleting the job deletes its events
      await controls.delete(owner, second);
      expect(
        await dataSource.query(`SELECT 1 FROM generation.job_events WHERE job_id = $1`, [second]),
      ).toEqual([]);
    } finally {
      await stream.onModuleDestroy();
    }
  });

  it('wakes workers and the owner’s streams once a submit commits — from the submit, not inside its transaction', async () => {
    const heard: { channel: string; payload: string }[] = [];
    const listener = new Client({ connectionString: db.url });
    await listener.connect();
    listener.on('notification', (m) =>
      heard.push({ channel: m.channel, payload: m.payload ?? '' }),
    );
    await listener.query(`LISTEN ${WORK_CHANNEL}`);
    await listener.query(`LISTEN ${JOB_EVENTS_CHANNEL}`);
    const notifier = new CoalescedNotifier(dataSource);
    const ledger = {
      reserve: () => Promise.resolve({ status: 'pending', priorityLane: false }),
    } as unknown as BillingLedger;
    const submit = new SubmitJobUseCase(
      dataSource,
      ledger,
      new Outbox('generation', 'fluxnote/generation'),
      new CatalogService(),
      new RuleBasedSafetyCheck(),
      new PromptApprovals(dataSource, clock),
      new AccountStanding(dataSource, 'generation'),
      new Likenesses(dataSource),
      clock,
      notifier,
    );
    try {
      const owner = randomUUID();
      // The trigger leaves a submit's reserving → queued to the submitter ...
      const reserving = await job(owner, 'reserving');
      await dataSource.query(`UPDATE generation.jobs SET status = 'queued' WHERE id = $1`, [
        reserving,
      ]);
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(heard).toEqual([]);
      // ... which sends both wake-ups after its commit.
      const accepted = () =>
        metricValue(metricsRegistry, generationMetricNames.submits, { outcome: 'accepted' });
      const acceptedBefore = await accepted();
      const input = {
        userId: owner,
        idempotencyKey: 'wake-up-key',
        country: null,
        model: 'wan-2.6',
        mode: 'text-to-video',
        prompt: 'a red fox running through fresh snow',
      };
      const replayed = () =>
        metricValue(metricsRegistry, generationMetricNames.submits, { outcome: 'replayed' });
      const replayedBefore = await replayed();
      const submitted = await submit.execute(input);
      expect(submitted.status).toBe('queued');
      expect((await submit.execute(input)).id).toBe(submitted.id);
      expect((await accepted()) - acceptedBefore).toBe(1);
      expect((await replayed()) - replayedBefore).toBe(1);
      await notifier.idle();
      await expectEventually(() =>
        expect(heard).toEqual(
          expect.arrayContaining([
            { channel: WORK_CHANNEL, payload: 'wan-2.6' },
            { channel: JOB_EVENTS_CHANNEL, payload: owner },
          ]),
        ),
      );
      expect(
        (
          await dataSource.query<{ status: string }[]>(
            `SELECT status FROM generation.job_events WHERE job_id = $1`,
            [submitted.id],
          )
        ).map((e) => e.status),
      ).toEqual(['queued']);
    } finally {
      await listener.end();
    }
  });

  it('serves the Max lane first, and within a lane every user’s first job before anyone’s second', async () => {
    await dataSource.query(`UPDATE generation.jobs SET status = 'failed' WHERE status = 'queued'`);
    const queue = new JobQueue(dataSource, clock, { MODEL_CONCURRENCY: { 'wan-2.6': 100 } });
    const busy = randomUUID();
    const patient = randomUUID();
    const max = randomUUID();
    const busyJobs: string[] = [];
    for (let i = 0; i < 4; i++) {
      busyJobs.push(await job(busy, 'queued'));
      clock.advance(1000);
    }
    const patientJob = await job(patient, 'queued');
    clock.advance(1000);
    const maxJob = await job(max, 'queued');
    await dataSource.query(`UPDATE generation.jobs SET lane = 0 WHERE id = $1`, [maxJob]);

    // What /metrics says of the queue: depth and oldest wait per lane, jobs running per model.
    const stopReading = new GenerationMetrics().trackQueue(() =>
      readQueue(dataSource, clock.now()),
    );
    const gauge = (name: string, labels: Record<string, string>) =>
      metricValue(metricsRegistry, name, labels);
    const waited = (lane: string, sample: '_count' | '_sum') =>
      metricValue(metricsRegistry, generationMetricNames.queueWait, { lane }, sample);
    try {
      expect(await gauge(generationMetricNames.queueDepth, { lane: 'shared' })).toBe(5);
      expect(await gauge(generationMetricNames.queueDepth, { lane: 'priority' })).toBe(1);
      expect(await gauge(generationMetricNames.queueOldest, { lane: 'shared' })).toBe(5);
      expect(await gauge(generationMetricNames.queueOldest, { lane: 'priority' })).toBe(0);
      const runningBefore = await gauge(generationMetricNames.running, { model: 'wan-2.6' });
      const waitsBefore = {
        shared: await waited('shared', '_sum'),
        count: await waited('shared', '_count'),
      };

      const order: string[] = [];
      for (let next = await queue.claimNext(); next; next = await queue.claimNext()) {
        order.push(next.id);
      }
      expect(order).toEqual([maxJob, busyJobs[0], patientJob, ...busyJobs.slice(1)]);

      expect(await gauge(generationMetricNames.queueDepth, { lane: 'shared' })).toBe(0);
      expect(await gauge(generationMetricNames.queueOldest, { lane: 'shared' })).toBe(0);
      expect(await gauge(generationMetricNames.running, { model: 'wan-2.6' })).toBe(
        runningBefore + 6,
      );
      // Each job's wait, once, when first taken: 5, 4, 3, 2 and 1 seconds in the shared lane.
      expect((await waited('shared', '_count')) - waitsBefore.count).toBe(5);
      expect((await waited('shared', '_sum')) - waitsBefore.shared).toBe(15);
      expect(await waited('priority', '_count')).toBe(1);
    } finally {
      stopReading();
    }

    // many workers at once: each job to exactly one of them
    const many = [];
    for (let i = 0; i < 10; i++) {
      many.push(await job(randomUUID(), 'queued'));
    }
    const claimed = await Promise.all(Array.from({ length: 14 }, () => queue.claimNext()));
    const ids = claimed.filter((j) => j !== undefined).map((j) => j.id);
    expect(ids.sort()).toEqual([...many].sort());
  });

  it('gives a newcomer’s first job the next turn, not a place behind a busy user’s whole backlog', async () => {
    await dataSource.query(
      `UPDATE generation.jobs SET status = 'failed' WHERE status IN ('queued', 'processing')`,
    );
    const queue = new JobQueue(dataSource, clock, { MODEL_CONCURRENCY: { 'wan-2.6': 100 } });
    const busy = randomUUID();
    const backlog: string[] = [];
    for (let i = 0; i < 5; i++) {
      backlog.push(await job(busy, 'queued'));
      clock.advance(1000);
    }
    const finishNext = async () => {
      const next = await queue.claimNext();
      await dataSource.query(`UPDATE generation.jobs SET status = 'succeeded' WHERE id = $1`, [
        next?.id,
      ]);
      return next?.id;
    };
    // The busy user's jobs finish as fast as they start, so none of them is ever running
    // when the newcomer arrives: turns, not running jobs, keep the newcomer from waiting.
    expect(await finishNext()).toBe(backlog[0]);
    const newcomer = await job(randomUUID(), 'queued');
    const order: string[] = [];
    for (let id = await finishNext(); id; id = await finishNext()) {
      order.push(id);
    }
    expect(order).toEqual([backlog[1], newcomer, ...backlog.slice(2)]);

    // A user's next job after a pause joins the current round, not the turns it once had.
    const later = await job(busy, 'queued');
    clock.advance(1000);
    const other = await job(randomUUID(), 'queued');
    expect([await finishNext(), await finishNext()]).toEqual([later, other]);
  });

  it('runs no more jobs of a model at once than its limit, even when many workers claim together', async () => {
    await dataSource.query(
      `UPDATE generation.jobs SET status = 'failed' WHERE status IN ('queued', 'processing')`,
    );
    const queue = new JobQueue(dataSource, clock, { MODEL_CONCURRENCY: { 'sora-2-pro': 2 } });
    const sora: string[] = [];
    for (let i = 0; i < 6; i++) {
      sora.push(await job(randomUUID(), 'queued', null, 'sora-2-pro'));
      clock.advance(1000);
    }
    const wan = await job(randomUUID(), 'queued');
    const running = async () =>
      (
        await dataSource.query<{ id: string }[]>(
          `SELECT id FROM generation.jobs WHERE model = 'sora-2-pro' AND status = 'processing'`,
        )
      ).map((r) => r.id);

    const claimed = (await Promise.all(Array.from({ length: 8 }, () => queue.claimNext())))
      .filter((j) => j !== undefined)
      .map((j) => j.id);
    for (let next = await queue.claimNext(); next; next = await queue.claimNext()) {
      claimed.push(next.id);
    }
    // The limit held, and the other model's job did not wait behind the full one.
    expect(await running()).toHaveLength(2);
    expect(claimed.filter((id) => sora.includes(id))).toHaveLength(2);
    expect(claimed).toContain(wan);

    // A finished job frees its slot for the next of that model, in queue order.
    const [done] = await running();
    await dataSource.query(`UPDATE generation.jobs SET status = 'succeeded' WHERE id = $1`, [done]);
    const next = await queue.claimNext();
    expect(next?.id).toBe(sora.find((id) => !claimed.includes(id)));
    expect(await queue.claimNext()).toBeUndefined();
  });

  it('approves a prompt the safety check blocked, but not a job whose output the provider withheld', async () => {
    const approvals = new PromptApprovals(dataSource, clock);
    const userId = randomUUID();
    const promptBlocked = await job(userId, 'blocked');
    const outputBlocked = await job(userId, 'blocked');
    await dataSource.query(
      `UPDATE generation.jobs SET failure_reason = $2, refunded = true WHERE id = $1`,
      [outputBlocked, OUTPUT_MODERATION],
    );
    await expect(
      approvals.approve(outputBlocked, randomUUID(), null, 'looks fine'),
    ).rejects.toMatchObject({ problem: { status: 409 } });
    expect(await approvals.covers(userId, 'a fox')).toBe(false);
    await approvals.approve(promptBlocked, randomUUID(), null, 'a false positive');
    expect(await approvals.covers(userId, 'a fox')).toBe(true);
  });
});
