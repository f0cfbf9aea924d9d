import { randomUUID } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { FixedClock } from '@fluxnote/clock';
import { ProblemError } from '@fluxnote/contracts';
import { Outbox } from '@fluxnote/messaging';
import { metricValue, openTestServiceDatabase, type TestDatabase } from '@fluxnote/testing';
import { metricsRegistry } from '@fluxnote/telemetry';
import { billingConfigSchema } from '../config/billing.config';
import { billingDatabase } from '../billing.database';
import { LedgerService } from './ledger.service';
import { ledgerMetricNames } from './ledger-metrics';

describe('LedgerService (Postgres)', () => {
  let db: TestDatabase;
  let dataSource: DataSource;
  let ledger: LedgerService;
  const clock = new FixedClock(new Date('2026-11-01T12:00:00Z'));

  beforeAll(async () => {
    ({ db, dataSource } = await openTestServiceDatabase('ledger', billingDatabase, 40));
    const config = billingConfigSchema.parse({
      DATABASE_URL: db.url,
      ACCOUNTS_GRPC_URL: '127.0.0.1:1',
    });
    ledger = new LedgerService(dataSource, clock, config, new Outbox('billing', 'billing'));
  });

  afterAll(async () => {
    await dataSource.destroy();
    await db.drop();
  });

  async function newUser(image = 100): Promise<string> {
    const userId = randomUUID();
    await dataSource.transaction((m) => ledger.openAccount(m, userId, 'fluxnote', 'free'));
    if (image !== 100) {
      await dataSource.query(
        `UPDATE billing.credit_balances SET allowance = $2 WHERE user_id = $1 AND pool = 'image'`,
        [userId, image],
      );
    }
    return userId;
  }

  it('opens a free account with 1 video and 100 image credits, once', async () => {
    const userId = await newUser();
    await dataSource.transaction((m) => ledger.openAccount(m, userId, 'fluxnote', 'free'));
    const usage = await ledger.usage(userId);
    expect(usage.plan).toBe('free');
    expect(usage.pools.video).toEqual({
      allowance: 1,
      used: 0,
      reserved: 0,
      remaining: 1,
      packCredits: 0,
    });
    expect(usage.pools.image.allowance).toBe(100);
    expect(usage.periodEnd.toISOString()).toBe('2026-12-01T12:00:00.000Z');
  });

  it('reserves, commits and is idempotent by key', async () => {
    const userId = await newUser();
    const key = randomUUID();
    const first = await ledger.reserve(key, userId, { video: 1, image: 0 });
    const again = await ledger.reserve(key, userId, { video: 1, image: 0 });
    expect(again.key).toBe(first.key);
    expect((await ledger.usage(userId)).pools.video).toMatchObject({ reserved: 1, remaining: 0 });
    await ledger.commit(key, 'job succeeded');
    await ledger.commit(key, 'job succeeded');
    expect((await ledger.usage(userId)).pools.video).toMatchObject({
      used: 1,
      reserved: 0,
      remaining: 0,
    });
    await expect(ledger.release(key, 'late')).rejects.toThrow(ProblemError);
  });

  it('counts each hold, commit and release once on /metrics, on both paths, retries not at all', async () => {
    // "operations/credits" per operation and pool, as /metrics reads them.
    const moved = async (): Promise<Record<string, string>> => {
      const result: Record<string, string> = {};
      for (const operation of ['hold', 'commit', 'release']) {
        for (const pool of ['video', 'image']) {
          const labels = { operation, pool };
          const operations = await metricValue(
            metricsRegistry,
            ledgerMetricNames.operations,
            labels,
          );
          const credits = await metricValue(metricsRegistry, ledgerMetricNames.credits, labels);
          result[`${operation}:${pool}`] = `${operations}/${credits}`;
        }
      }
      return result;
    };
    const before = await moved();
    const userId = await newUser();
    const single = randomUUID(); // one pool: the one-statement path
    const both = randomUUID(); // two pools: the transaction
    await ledger.reserve(single, userId, { video: 0, image: 3 });
    await ledger.reserve(single, userId, { video: 0, image: 3 });
    await ledger.reserve(both, userId, { video: 1, image: 5 });
    await ledger.reserve(both, userId, { video: 1, image: 5 });
    await ledger.commit(single, 'job succeeded');
    await ledger.commit(single, 'job succeeded');
    await ledger.release(both, 'job failed');
    await ledger.release(both, 'job failed');
    const after = await moved();
    const since = (key: string): string => {
      const [ops, credits] = after[key].split('/').map(Number);
      const [ops0, credits0] = before[key].split('/').map(Number);
      return `${ops - ops0}/${credits - credits0}`;
    };
    expect(Object.fromEntries(Object.keys(after).map((k) => [k, since(k)]))).toEqual({
      'hold:video': '1/1',
      'hold:image': '2/8',
      'commit:video': '0/0',
      'commit:image': '1/3',
      'release:video': '1/1',
      'release:image': '1/5',
    });
  });

  it('tells the holder whether their plan earns the priority lane, on every path of a hold', async () => {
    const free = await newUser();
    expect(await ledger.reserve(randomUUID(), free, { video: 1, image: 0 })).toMatchObject({
      priorityLane: false,
    });
    const max = await newUser();
    await dataSource.query(`UPDATE billing.credit_accounts SET plan = 'max' WHERE user_id = $1`, [
      max,
    ]);
    const key = randomUUID();
    // One pool (the single-statement hold), its retry, and a hold on both pools.
    expect(await ledger.reserve(key, max, { video: 1, image: 0 })).toMatchObject({
      priorityLane: true,
    });
    expect(await ledger.reserve(key, max, { video: 1, image: 0 })).toMatchObject({
      priorityLane: true,
      status: 'pending',
    });
    expect(await ledger.reserve(randomUUID(), max, { video: 0, image: 10 })).toMatchObject({
      priorityLane: true,
    });
    await dataSource.query(
      `UPDATE billing.credit_balances SET allowance = 5 WHERE user_id = $1 AND pool = 'video'`,
      [max],
    );
    expect(await ledger.reserve(randomUUID(), max, { video: 1, image: 50 })).toMatchObject({
      priorityLane: true,
    });
  });

  it('releases give credits back, and a release before the reserve blocks it', async () => {
    const userId = await newUser();
    const key = randomUUID();
    await ledger.reserve(key, userId, { video: 1, image: 0 });
    await ledger.release(key, 'provider_5xx');
    await ledger.release(key, 'provider_5xx');
    expect((await ledger.usage(userId)).pools.video).toMatchObject({
      used: 0,
      reserved: 0,
      remaining: 1,
    });

    const early = randomUUID();
    await ledger.release(early, 'caller gave up');
    const late = await ledger.reserve(early, userId, { video: 1, image: 0 });
    expect(late.status).toBe('released');
    expect((await ledger.usage(userId)).pools.video.reserved).toBe(0);
  });

  it('refuses with 402 when the pool is short', async () => {
    const userId = await newUser();
    await ledger.reserve(randomUUID(), userId, { video: 1, image: 0 });
    await expect(
      ledger.reserve(randomUUID(), userId, { video: 1, image: 0 }),
    ).rejects.toMatchObject({
      problem: { status: 402, type: 'insufficient-credits', pool: 'video', remaining: 0 },
    });
  });

  it('never overspends: 200 concurrent reservations on a balance of 50 hold exactly 50', async () => {
    const userId = await newUser(50);
    const results = await Promise.allSettled(
      Array.from({ length: 200 }, () =>
        ledger.reserve(randomUUID(), userId, { video: 0, image: 1 }),
      ),
    );
    const held = results.filter((r) => r.status === 'fulfilled').length;
    const refused = results.filter(
      (r) => r.status === 'rejected' && (r.reason as ProblemError).problem?.status === 402,
    ).length;
    expect(held).toBe(50);
    expect(refused).toBe(150);
    const usage = await ledger.usage(userId);
    expect(usage.pools.image).toMatchObject({ reserved: 50, remaining: 0 });
    const [{ sum }] = await dataSource.query<[{ sum: number }]>(
      `SELECT coalesce(sum(amount), 0)::int AS sum FROM billing.credit_entries WHERE user_id = $1 AND kind = 'reserve'`,
      [userId],
    );
    expect(sum).toBe(50);
  });

  it('releases expired reservations by the platform clock', async () => {
    const userId = await newUser();
    const key = randomUUID();
    await ledger.reserve(key, userId, { video: 1, image: 0 }, 60);
    expect(await ledger.releaseExpired()).toBe(0);
    clock.advance(61_000);
    expect(await ledger.releaseExpired()).toBeGreaterThanOrEqual(1);
    expect((await ledger.usage(userId)).pools.video).toMatchObject({ reserved: 0, remaining: 1 });
  });

  it('grants credits once per key, as extra credits, and refunds a committed job once', async () => {
    const userId = await newUser();
    const agentId = randomUUID();
    const first = await ledger.grant(
      'g-1',
      userId,
      { video: 1, image: 0 },
      'approved prompt',
      agentId,
    );
    const again = await ledger.grant(
      'g-1',
      userId,
      { video: 1, image: 0 },
      'approved prompt',
      agentId,
    );
    expect(again.createdAt).toEqual(first.createdAt);
    expect((await ledger.usage(userId)).pools.video).toMatchObject({
      packCredits: 1,
      remaining: 2,
    });

    const job = randomUUID();
    await ledger.reserve(job, userId, { video: 1, image: 0 });
    await expect(ledger.refundJobCredits(job, 'review', agentId)).rejects.toMatchObject({
      problem: { status: 409 },
    });
    await ledger.commit(job, 'succeeded');
    const refunded = await Promise.all(
      Array.from({ length: 5 }, () => ledger.refundJobCredits(job, 'audio out of sync', agentId)),
    );
    expect(new Set(refunded.map((g) => g.key))).toEqual(new Set([`job-refund:${job}`]));
    expect((await ledger.usage(userId)).pools.video).toMatchObject({
      packCredits: 2,
      remaining: 2,
    });
    const granted = await dataSource.query<unknown[]>(
      `SELECT 1 FROM billing.outbox WHERE key = $1 AND envelope->>'type' = 'billing.credits.granted.v1'`,
      [userId],
    );
    expect(granted).toHaveLength(2);

    await expect(ledger.refundJobCredits(randomUUID(), '', null)).rejects.toMatchObject({
      problem: { status: 404 },
    });
    await expect(
      ledger.grant('g-2', randomUUID(), { video: 1, image: 0 }, 'x', null),
    ).rejects.toMatchObject({
      problem: { status: 404 },
    });
    await expect(
      ledger.grant('g-3', userId, { video: 0, image: 0 }, 'x', null),
    ).rejects.toMatchObject({
      problem: { status: 400 },
    });
  });
});
