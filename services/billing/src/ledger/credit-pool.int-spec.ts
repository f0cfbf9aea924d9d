import { randomUUID } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { FixedClock } from '@fluxnote/clock';
import type { ProblemError } from '@fluxnote/contracts';
import { Outbox } from '@fluxnote/messaging';
import {
  openTestServiceDatabase,
  problemOf,
  seededRandom,
  type TestDatabase,
} from '@fluxnote/testing';
import { billingDatabase } from '../billing.database';
import { billingConfigSchema } from '../config/billing.config';
import { remaining, type CreditAmounts, type CreditPool, type PoolBalance } from './credit-pool';
import { ledgerRows, type OnePoolHold } from './ledger.repository';
import { LedgerService } from './ledger.service';

/**
 * A hold is decided in SQL, on the balance row, so concurrent submits cannot overspend: the
 * one-pool hold (`holdOnePools` in ledger.repository.ts, the submit path, which takes the holds of
 * concurrent submits together) and the two-pool hold each write the no-overspend rule as a
 * condition. This drives both with random balances and checks they hold exactly when `remaining`
 * of credit-pool.ts says the credits are there, then holds many at once, and races holds against
 * their settlements and checks the books.
 */
describe('the ledger in SQL (Postgres)', () => {
  let db: TestDatabase;
  let dataSource: DataSource;
  let ledger: LedgerService;
  const clock = new FixedClock(new Date('2026-12-07T10:00:00Z'));

  beforeAll(async () => {
    ({ db, dataSource } = await openTestServiceDatabase('billing_holds', billingDatabase, 12));
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

  async function accountWith(balances: Record<CreditPool, PoolBalance>): Promise<string> {
    const userId = randomUUID();
    await dataSource.transaction((m) => ledger.openAccount(m, userId, 'fluxnote', 'pro', 'US'));
    for (const [pool, b] of Object.entries(balances)) {
      await dataSource.query(
        `UPDATE billing.credit_balances SET allowance = $3, pack_credits = $4, used = $5, reserved = $6
          WHERE user_id = $1 AND pool = $2`,
        [userId, pool, b.allowance, b.packCredits, b.used, b.reserved],
      );
    }
    return userId;
  }

  const reservedOf = async (userId: string): Promise<Record<string, number>> =>
    Object.fromEntries(
      (
        await dataSource.query<{ pool: string; reserved: number }[]>(
          `SELECT pool, reserved FROM billing.credit_balances WHERE user_id = $1`,
          [userId],
        )
      ).map((r) => [r.pool, r.reserved]),
    );

  it.each([
    ['one pool (the submit path)', 1, false],
    ['both pools', 2, true],
  ])(
    'holds as credit-pool.ts decides, on random balances, from %s',
    async (_what, seed, bothPools) => {
      const random = seededRandom(seed);
      const int = (max: number) => Math.floor(random() * (max + 1));
      const balance = (): PoolBalance => ({
        allowance: int(8),
        packCredits: int(3),
        used: int(6),
        reserved: int(3),
      });
      let held = 0;
      let refused = 0;
      for (let i = 0; i < 60; i++) {
        const balances = { video: balance(), image: balance() };
        const wanted: CreditAmounts = bothPools
          ? { video: 1 + int(3), image: 1 + int(3) }
          : { video: 1 + int(3), image: 0 };
        const fits =
          remaining(balances.video) >= wanted.video && remaining(balances.image) >= wanted.image;
        const userId = await accountWith(balances);
        const attempt = ledger.reserve(randomUUID(), userId, wanted);
        if (fits) {
          await attempt;
          held += 1;
          expect(await reservedOf(userId)).toEqual({
            video: balances.video.reserved + wanted.video,
            image: balances.image.reserved + wanted.image,
          });
        } else {
          expect(await problemOf(attempt)).toMatchObject({ status: 402 });
          refused += 1;
          expect(await reservedOf(userId)).toEqual({
            video: balances.video.reserved,
            image: balances.image.reserved,
          });
        }
      }
      // Both outcomes came up, or the comparison proved little.
      expect(held).toBeGreaterThan(5);
      expect(refused).toBeGreaterThan(5);
    },
  );

  const oneVideoPool = (userId: string, video: number, key = randomUUID()): OnePoolHold => ({
    key,
    userId,
    pool: 'video',
    credits: { video, image: 0 },
    at: clock.now(),
    expiresAt: new Date(clock.now().getTime() + 600_000),
  });
  const videoLeft = (left: number): Record<CreditPool, PoolBalance> => ({
    video: { allowance: left, packCredits: 0, used: 0, reserved: 0 },
    image: { allowance: 0, packCredits: 0, used: 0, reserved: 0 },
  });

  it("holds a batch's holds in order, as many as each user's balance covers", async () => {
    const [first, second] = [await accountWith(videoLeft(7)), await accountWith(videoLeft(2))];
    const taken = oneVideoPool(second, 1);
    await ledgerRows.holdOnePools(dataSource, [taken]);
    const batch = [
      oneVideoPool(first, 3),
      oneVideoPool(second, 1),
      oneVideoPool(first, 3),
      { ...taken }, // its key holds already
      oneVideoPool(first, 3),
      oneVideoPool(first, 1),
    ];
    const holders = await ledgerRows.holdOnePools(dataSource, batch);
    // 3 + 3 of the first's 7; the 3 after them is not covered, nor the 1 behind it (in order).
    expect(holders.map((h) => h?.plan ?? null)).toEqual(['pro', 'pro', 'pro', null, null, null]);
    expect(await reservedOf(first)).toEqual({ video: 6, image: 0 });
    expect(await reservedOf(second)).toEqual({ video: 2, image: 0 });
  });

  it("holds none of a user's batch when the balance changed while it waited for the row", async () => {
    const [racing, other] = [await accountWith(videoLeft(5)), await accountWith(videoLeft(5))];
    const spender = dataSource.createQueryRunner();
    await spender.startTransaction();
    try {
      await spender.query(
        `UPDATE billing.credit_balances SET reserved = 4 WHERE user_id = $1 AND pool = 'video'`,
        [racing],
      );
      // Its snapshot still sees 5 left for both; the racing user's row is locked by the spender.
      const batch = ledgerRows.holdOnePools(dataSource, [
        oneVideoPool(racing, 1),
        oneVideoPool(other, 2),
        oneVideoPool(racing, 1),
      ]);
      for (let waiting = 0; waiting === 0;) {
        await new Promise((resolve) => setTimeout(resolve, 20));
        [{ waiting }] = await dataSource.query<[{ waiting: number }]>(
          `SELECT count(*)::int AS waiting FROM pg_stat_activity
            WHERE datname = current_database() AND wait_event_type = 'Lock'`,
        );
      }
      await spender.commitTransaction();
      // 1 left by the time it locked the row: the two (2 together) hold nothing, the other holds.
      expect((await batch).map((h) => h !== null)).toEqual([false, true, false]);
    } finally {
      await spender.release();
    }
    expect(await reservedOf(racing)).toEqual({ video: 4, image: 0 });
    expect(await reservedOf(other)).toEqual({ video: 2, image: 0 });
  });

  it('gathers concurrent holds into shared statements and keeps every book', async () => {
    const users = [await accountWith(videoLeft(6)), await accountWith(videoLeft(6))];
    const statements = jest.spyOn(ledgerRows, 'holdOnePools');
    const asked = Array.from({ length: 24 }, (_, i) => ({
      userId: users[i % 2],
      credits: { video: 1 + (i % 3), image: 0 },
    }));
    const results = await Promise.allSettled(
      asked.map(({ userId, credits }) => ledger.reserve(randomUUID(), userId, credits)),
    );
    const batchSizes = statements.mock.calls.map(([, holds]) => holds.length);
    statements.mockRestore();
    expect(Math.max(...batchSizes)).toBeGreaterThan(1);
    for (const userId of users) {
      let held = 0;
      results.forEach((result, i) => {
        if (asked[i].userId !== userId) {
          return;
        }
        if (result.status === 'fulfilled') {
          held += asked[i].credits.video;
        } else {
          expect((result.reason as ProblemError).problem.status).toBe(402);
        }
      });
      // All six held (a refusal comes only when too few are left), each entry once.
      expect(held).toBe(6);
      expect(await reservedOf(userId)).toEqual({ video: 6, image: 0 });
      const [{ sum }] = await dataSource.query<[{ sum: number }]>(
        `SELECT coalesce(sum(amount), 0)::int AS sum FROM billing.credit_entries
          WHERE user_id = $1 AND kind = 'reserve'`,
        [userId],
      );
      expect(sum).toBe(6);
    }
  });

  it("moves each reservation's credits once, however its settlements race its hold", async () => {
    const random = seededRandom(3);
    const int = (max: number) => Math.floor(random() * (max + 1));
    const ample: PoolBalance = { allowance: 500, packCredits: 0, used: 0, reserved: 0 };
    const userId = await accountWith({ video: ample, image: ample });
    const keys = Array.from({ length: 40 }, () => randomUUID());
    type Step = { kind: 'hold' | 'commit' | 'release' | 'expire'; run: () => Promise<unknown> };
    const steps: Step[] = [];
    for (const key of keys) {
      const wanted: CreditAmounts =
        random() < 0.5 ? { video: 1 + int(2), image: 0 } : { video: 1, image: 1 + int(4) };
      const ttl = random() < 0.3 ? 1 : 600; // some expire during the race
      steps.push({ kind: 'hold', run: () => ledger.reserve(key, userId, wanted, ttl) });
      for (let i = int(2); i >= 0; i--) {
        steps.push(
          random() < 0.5
            ? { kind: 'commit', run: () => ledger.commit(key, 'job succeeded') }
            : { kind: 'release', run: () => ledger.release(key, 'job failed') },
        );
      }
    }
    for (let i = 0; i < 5; i++) {
      const expire = () => {
        clock.advance(2_000);
        return ledger.releaseExpired();
      };
      steps.push({ kind: 'expire', run: expire });
    }
    const order = steps.map((step) => ({ step, at: random() })).sort((a, b) => a.at - b.at);
    // Each step starts at its own moment over 30 ms, so holds (which gather into shared
    // statements) land before, between and after their settlements.
    const results = await Promise.allSettled(
      order.map(({ step, at }) =>
        new Promise((resolve) => setTimeout(resolve, at * 30)).then(() => step.run()),
      ),
    );

    results.forEach((result, i) => {
      const { kind } = order[i].step;
      if (result.status === 'rejected') {
        // A commit before its hold is not found; a settlement the other way is a conflict.
        const status = (result.reason as ProblemError).problem?.status;
        expect(`${kind} ${status}`).toMatch(/^(commit (404|409)|release 409)$/);
      } else if (kind === 'commit' || kind === 'release') {
        const target = kind === 'commit' ? 'committed' : 'released';
        expect((result.value as { status: string }).status).toBe(target);
      }
    });
    clock.advance(601_000);
    await ledger.releaseExpired();

    const rows = await dataSource.query<
      { key: string; user_id: string | null; status: string; video: number; image: number }[]
    >(
      `SELECT key, user_id, status, video_credits AS video, image_credits AS image
         FROM billing.reservations WHERE key = ANY($1)`,
      [keys],
    );
    const expected: string[] = [];
    const used = { video: 0, image: 0 };
    for (const r of rows) {
      expect(r.status).not.toBe('pending');
      for (const pool of ['video', 'image'] as const) {
        if (r.user_id === null || r[pool] === 0) {
          continue; // a release recorded before its hold moved nothing
        }
        const settledAs = r.status === 'committed' ? 'commit' : 'release';
        expected.push(
          `${r.key} ${pool} reserve ${r[pool]}`,
          `${r.key} ${pool} ${settledAs} ${r[pool]}`,
        );
        used[pool] += r.status === 'committed' ? r[pool] : 0;
      }
    }
    const entries = await dataSource.query<{ line: string }[]>(
      `SELECT reservation_key || ' ' || pool || ' ' || kind || ' ' || amount AS line
         FROM billing.credit_entries WHERE user_id = $1 AND reservation_key IS NOT NULL`,
      [userId],
    );
    expect(entries.map((e) => e.line).sort()).toEqual(expected.sort());
    const balances = await dataSource.query<{ pool: CreditPool; used: number; reserved: number }[]>(
      `SELECT pool, used, reserved FROM billing.credit_balances WHERE user_id = $1`,
      [userId],
    );
    expect(Object.fromEntries(balances.map((b) => [b.pool, [b.used, b.reserved]]))).toEqual({
      video: [used.video, 0],
      image: [used.image, 0],
    });
    // Every way a settlement can go came up, or the race proved little.
    expect(new Set(rows.map((r) => (r.user_id === null ? 'early' : r.status)))).toEqual(
      new Set(['committed', 'released', 'early']),
    );
  });
});
