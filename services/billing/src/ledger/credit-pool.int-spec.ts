import { randomUUID } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { FixedClock } from '@fluxnote/clock';
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
import { LedgerService } from './ledger.service';

/**
 * A hold is decided in SQL, on the balance row, so concurrent submits cannot overspend: the
 * one-pool hold (`holdOnePool` in ledger.sql.ts, the submit path) and the two-pool hold each
 * write the no-overspend rule as a condition. This drives both with random balances and checks
 * they hold exactly when `remaining` of credit-pool.ts says the credits are there.
 */
describe('a credit hold in SQL decides as credit-pool.ts does (Postgres)', () => {
  let db: TestDatabase;
  let dataSource: DataSource;
  let ledger: LedgerService;
  const clock = new FixedClock(new Date('2026-12-07T10:00:00Z'));

  beforeAll(async () => {
    ({ db, dataSource } = await openTestServiceDatabase('billing_holds', billingDatabase, 3));
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
  ])('on random balances, holding from %s', async (_what, seed, bothPools) => {
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
  });
});
