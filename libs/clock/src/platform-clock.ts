import { Client, type Pool } from 'pg';
import { Clock } from './clock';

const CHANNEL = 'fluxnote_platform_clock';
/** Each clock says here that it heard a move (the payload is the offset), so the mover can wait. */
const HEARD_CHANNEL = 'fluxnote_platform_clock_heard';
const LISTENER_NAME = 'platform-clock';

async function ensureClockTable(db: Pool | Client): Promise<void> {
  await db.query(`
    DO $$ BEGIN
      PERFORM pg_advisory_xact_lock(hashtext('fluxnote.platform.clock'));
      CREATE SCHEMA IF NOT EXISTS platform;
      CREATE TABLE IF NOT EXISTS platform.clock (
        id boolean PRIMARY KEY DEFAULT true CHECK (id),
        offset_ms bigint NOT NULL DEFAULT 0,
        updated_at timestamptz NOT NULL DEFAULT now()
      );
      INSERT INTO platform.clock (id) VALUES (true) ON CONFLICT DO NOTHING;
    END $$;`);
}

/**
 * The platform clock of embedded and test mode: system time plus an offset shared
 * by every service through Postgres (like a payment provider's test clock). A change
 * reaches every service through LISTEN/NOTIFY, and each clock says it heard it, so
 * a move answers once every service's clock is at the moved time.
 */
export class PlatformClock extends Clock {
  private offsetMs = 0;
  /** Moves waiting to be heard by every clock on the database, by offset: how many are left. */
  private readonly awaited = new Map<number, { left: number; done: () => void }>();

  private constructor(private readonly listener: Client) {
    super();
  }

  static async open(databaseUrl: string): Promise<PlatformClock> {
    const listener = new Client({
      connectionString: databaseUrl,
      application_name: LISTENER_NAME,
    });
    await listener.connect();
    await ensureClockTable(listener);
    const clock = new PlatformClock(listener);
    listener.on('notification', (message) => {
      if (message.payload === undefined) {
        return;
      }
      if (message.channel === CHANNEL) {
        clock.hear(Number(message.payload));
      } else if (message.channel === HEARD_CHANNEL) {
        clock.heardBy(Number(message.payload));
      }
    });
    // Swallow connection errors here; a clock that stops hearing changes keeps its last offset.
    listener.on('error', () => undefined);
    await listener.query(`LISTEN ${CHANNEL}`);
    await listener.query(`LISTEN ${HEARD_CHANNEL}`);
    const { rows } = await listener.query<{ offset_ms: string }>(
      'SELECT offset_ms FROM platform.clock',
    );
    clock.offsetMs = Number(rows[0]?.offset_ms ?? 0);
    return clock;
  }

  now(): Date {
    return new Date(Date.now() + this.offsetMs);
  }

  /**
   * Moves the platform clock and answers once every clock on the database (each service's,
   * this one's included) has heard the change, so a request that follows the answer sees
   * the moved time in whichever service it reaches. A clock that lost its connection never
   * says so: after two seconds the move answers anyway.
   */
  async move(db: Pool, change: { now: Date } | { advanceMs: number }): Promise<Date> {
    let moved: number | undefined;
    let heard: Promise<void> | undefined;
    let timer: NodeJS.Timeout | undefined;
    try {
      const [{ clocks }] = (
        await db.query<{ clocks: number }>(
          `SELECT count(*)::int AS clocks FROM pg_stat_activity
            WHERE application_name = $1 AND datname = current_database()`,
          [LISTENER_NAME],
        )
      ).rows as [{ clocks: number }];
      await writeOffset(db, change, (offsetMs) => {
        moved = offsetMs;
        heard = new Promise<void>((done) =>
          this.awaited.set(offsetMs, { left: Math.max(clocks, 1), done }),
        );
        timer = setTimeout(() => {
          this.hear(offsetMs);
          this.awaited.get(offsetMs)?.done();
        }, 2_000);
      });
      await heard;
    } finally {
      clearTimeout(timer);
      if (moved !== undefined) {
        this.awaited.delete(moved);
      }
    }
    return this.now();
  }

  private hear(offsetMs: number): void {
    this.offsetMs = offsetMs;
    void this.listener
      .query('SELECT pg_notify($1, $2)', [HEARD_CHANNEL, String(offsetMs)])
      .catch(() => undefined);
  }

  /** One more clock heard the move to `offsetMs`. */
  private heardBy(offsetMs: number): void {
    const waiting = this.awaited.get(offsetMs);
    if (waiting && --waiting.left <= 0) {
      waiting.done();
    }
  }

  async close(): Promise<void> {
    await this.listener.end();
  }
}

/** Moves the platform clock to `now`, or forward by `advanceMs`. Returns the new platform time. */
export async function movePlatformClock(
  db: Pool,
  change: { now: Date } | { advanceMs: number },
): Promise<Date> {
  const offsetMs = await writeOffset(db, change, () => undefined);
  return new Date(Date.now() + offsetMs);
}

/** Writes the new offset and notifies every listener; `beforeCommit` sees the offset first. */
async function writeOffset(
  db: Pool,
  change: { now: Date } | { advanceMs: number },
  beforeCommit: (offsetMs: number) => void,
): Promise<number> {
  await ensureClockTable(db);
  const client = await db.connect();
  try {
    await client.query('BEGIN');
    const { rows } = await client.query<{ offset_ms: string }>(
      'SELECT offset_ms FROM platform.clock FOR UPDATE',
    );
    const current = Number(rows[0]?.offset_ms ?? 0);
    const next = 'now' in change ? change.now.getTime() - Date.now() : current + change.advanceMs;
    await client.query('UPDATE platform.clock SET offset_ms = $1, updated_at = now()', [next]);
    await client.query('SELECT pg_notify($1, $2)', [CHANNEL, String(next)]);
    beforeCommit(next);
    await client.query('COMMIT');
    return next;
  } catch (error) {
    await client.query('ROLLBACK');
    throw error;
  } finally {
    client.release();
  }
}
