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
        clock.offsetMs = Number(message.payload);
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

  async close(): Promise<void> {
    await this.listener.end();
  }
}

/** Moves the platform clock to `now`, or forward by `advanceMs`. Returns the new platform time. */
export async function movePlatformClock(
  db: Pool,
  change: { now: Date } | { advanceMs: number },
): Promise<Date> {
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
    await client.query('COMMIT');
    return new Date(Date.now() + next);
  } catch (error) {
    await client.query('ROLLBACK');
    throw error;
  } finally {
    client.release();
  }
}
