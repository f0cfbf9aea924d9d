import { Client, type Pool } from 'pg';
import { Clock } from './clock';

const CHANNEL = 'fluxnote_platform_clock';

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
 * reaches every service at once through LISTEN/NOTIFY.
 */
export class PlatformClock extends Clock {
  private offsetMs = 0;
  /** Moves waiting to be heard by this process's listener, by offset. */
  private readonly awaited = new Map<number, () => void>();

  private constructor(private readonly listener: Client) {
    super();
  }

  static async open(databaseUrl: string): Promise<PlatformClock> {
    const listener = new Client({
      connectionString: databaseUrl,
      application_name: 'platform-clock',
    });
    await listener.connect();
    await ensureClockTable(listener);
    const clock = new PlatformClock(listener);
    listener.on('notification', (message) => {
      if (message.channel === CHANNEL && message.payload !== undefined) {
        clock.hear(Number(message.payload));
      }
    });
    // Swallow connection errors here; a clock that stops hearing changes keeps its last offset.
    listener.on('error', () => undefined);
    await listener.query(`LISTEN ${CHANNEL}`);
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
   * Moves the platform clock and answers once this process has heard the change, so a
   * request that follows the answer sees the moved time here; every service's listener
   * gets the same notification at the same commit.
   */
  async move(db: Pool, change: { now: Date } | { advanceMs: number }): Promise<Date> {
    let moved: number | undefined;
    let heard: Promise<void> | undefined;
    let timer: NodeJS.Timeout | undefined;
    try {
      await writeOffset(db, change, (offsetMs) => {
        moved = offsetMs;
        heard = new Promise<void>((resolve) => this.awaited.set(offsetMs, resolve));
        // A listener that lost its connection never hears it; this process adopts it anyway.
        timer = setTimeout(() => this.hear(offsetMs), 2_000);
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
    this.awaited.get(offsetMs)?.();
    this.awaited.delete(offsetMs);
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
