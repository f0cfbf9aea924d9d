import { Client, Pool } from 'pg';
import { createTestDatabase, type TestDatabase } from '@fluxnote/testing';
import { PlatformClock } from './platform-clock';

describe('PlatformClock (Postgres)', () => {
  let db: TestDatabase;
  let pool: Pool;
  let here: PlatformClock;
  let elsewhere: PlatformClock;

  beforeAll(async () => {
    db = await createTestDatabase('clock');
    pool = new Pool({ connectionString: db.url, max: 2 });
    here = await PlatformClock.open(db.url);
    elsewhere = await PlatformClock.open(db.url);
  });

  afterAll(async () => {
    await here.close();
    await elsewhere.close();
    await pool.end();
    await db.drop();
  });

  it('a move answers only once this process reads the moved time, and reaches every other clock', async () => {
    const day = 24 * 3_600_000;
    const moved = await here.move(pool, { advanceMs: 2 * day });
    // No waiting: the next read in this process is already at the moved time.
    expect(here.now().getTime() - Date.now()).toBeGreaterThan(2 * day - 5_000);
    expect(Math.abs(moved.getTime() - here.now().getTime())).toBeLessThan(5_000);
    const target = new Date('2030-01-01T00:00:00Z');
    await here.move(pool, { now: target });
    expect(Math.abs(here.now().getTime() - target.getTime())).toBeLessThan(5_000);
    // Every other clock on the database has heard it by the time the move answers.
    expect(Math.abs(elsewhere.now().getTime() - target.getTime())).toBeLessThan(5_000);
  });

  it('a move waits for a service whose clock hears it late', async () => {
    // A slow service's clock: it hears the move, and says so only 300 ms later.
    const slow = new Client({ connectionString: db.url, application_name: 'platform-clock' });
    await slow.connect();
    let said = false;
    let saying: Promise<unknown> = Promise.resolve();
    slow.on('notification', (message) => {
      if (message.channel === 'fluxnote_platform_clock') {
        setTimeout(() => {
          said = true;
          saying = slow.query(`SELECT pg_notify('fluxnote_platform_clock_heard', $1)`, [
            message.payload,
          ]);
        }, 300);
      }
    });
    await slow.query('LISTEN fluxnote_platform_clock');
    try {
      await here.move(pool, { advanceMs: 60_000 });
      expect(said).toBe(true);
    } finally {
      await saying;
      await slow.end();
    }
  });

  it('a clock opened later starts at the moved time', async () => {
    const late = await PlatformClock.open(db.url);
    try {
      expect(Math.abs(late.now().getTime() - here.now().getTime())).toBeLessThan(5_000);
    } finally {
      await late.close();
    }
  });
});
