import { Pool, type PoolClient } from 'pg';
import type { EventEnvelope } from '../core/envelope';
import {
  DeadLetterNotFoundError,
  DeadLetterResolvedError,
  type DeadLetter,
  type DeadLetterAction,
  type DeadLetterFilter,
  type DeadLetterStore,
} from '../core/dead-letters';
import { partitionFor } from '../core/partition';
import { ensureBusSchema } from './bus-schema';
import { appendEvents } from './pg-append';

interface DeadLetterRow {
  id: string;
  group_id: string;
  topic: string;
  partition: number;
  offset: string;
  event_id: string;
  envelope: EventEnvelope;
  key: string | null;
  error: string;
  attempts: number;
  created_at: Date;
  resolution: DeadLetterAction | null;
  resolved_at: Date | null;
}

// The key comes from the event as it was published (the bus keeps every event).
const selectDeadLetters = `
  SELECT d.id, d.group_id, d.topic, d.partition, d."offset", d.event_id, d.envelope, e.key,
         d.error, d.attempts, d.created_at, d.resolution, d.resolved_at
    FROM bus.dead_letters d
    LEFT JOIN bus.events e ON e.topic = d.topic AND e.partition = d.partition AND e."offset" = d."offset"`;

/**
 * Dead letters of the embedded bus: rows of `bus.dead_letters`. A replay appends the event to
 * its topic and marks the row in one transaction, so it happens once however often it is asked.
 * Ids are the rows' numbers.
 */
export class PgDeadLetters implements DeadLetterStore {
  private readonly pool: Pool;
  private ready: Promise<void> | undefined;

  constructor(databaseUrl: string) {
    this.pool = new Pool({
      connectionString: databaseUrl,
      max: 2,
      application_name: 'dead-letters',
    });
  }

  async list(filter: DeadLetterFilter): Promise<DeadLetter[]> {
    await this.init();
    const { rows } = await this.pool.query<DeadLetterRow>(
      `${selectDeadLetters}
        WHERE ($1::text IS NULL OR d.topic = $1) AND ($2::text IS NULL OR d.group_id = $2)
          AND ($3 OR d.resolution IS NULL)
        ORDER BY d.id`,
      [filter.topic ?? null, filter.group ?? null, filter.resolved === true],
    );
    return rows.map(toDeadLetter);
  }

  async get(id: string): Promise<DeadLetter> {
    await this.init();
    return toDeadLetter(await this.row(this.pool, id, false));
  }

  replay(id: string): Promise<DeadLetter> {
    return this.resolve(id, 'replayed', async (client, row) => {
      const { rows } = await client.query<{ partitions: number }>(
        'SELECT partitions FROM bus.topics WHERE topic = $1',
        [row.topic],
      );
      const key = row.key ?? row.envelope.subject;
      await appendEvents(
        client,
        [{ topic: row.topic, key, envelope: row.envelope }],
        [partitionFor(key, rows[0].partitions)],
      );
    });
  }

  discard(id: string): Promise<DeadLetter> {
    return this.resolve(id, 'discarded', () => Promise.resolve());
  }

  async close(): Promise<void> {
    await this.pool.end();
  }

  private init(): Promise<void> {
    this.ready ??= ensureBusSchema(this.pool);
    return this.ready;
  }

  private async row(on: Pool | PoolClient, id: string, lock: boolean): Promise<DeadLetterRow> {
    const { rows } = /^\d{1,18}$/.test(id)
      ? await on.query<DeadLetterRow>(
          `${selectDeadLetters} WHERE d.id = $1${lock ? ' FOR UPDATE OF d' : ''}`,
          [id],
        )
      : { rows: [] };
    if (!rows[0]) {
      throw new DeadLetterNotFoundError(id);
    }
    return rows[0];
  }

  private async resolve(
    id: string,
    action: DeadLetterAction,
    work: (client: PoolClient, row: DeadLetterRow) => Promise<void>,
  ): Promise<DeadLetter> {
    await this.init();
    const client = await this.pool.connect();
    try {
      await client.query('BEGIN');
      const row = await this.row(client, id, true);
      if (row.resolution && row.resolved_at) {
        throw new DeadLetterResolvedError(id, { action: row.resolution, at: row.resolved_at });
      }
      await work(client, row);
      const { rows } = await client.query<{ resolved_at: Date }>(
        `UPDATE bus.dead_letters SET resolution = $2, resolved_at = now() WHERE id = $1
         RETURNING resolved_at`,
        [id, action],
      );
      await client.query('COMMIT');
      return toDeadLetter({ ...row, resolution: action, resolved_at: rows[0].resolved_at });
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    } finally {
      client.release();
    }
  }
}

function toDeadLetter(row: DeadLetterRow): DeadLetter {
  return {
    id: String(row.id),
    topic: row.topic,
    group: row.group_id,
    partition: row.partition,
    offset: String(row.offset),
    key: row.key ?? row.envelope.subject,
    payload: JSON.stringify(row.envelope),
    eventId: row.event_id,
    eventType: typeof row.envelope.type === 'string' ? row.envelope.type : undefined,
    error: row.error,
    attempts: row.attempts,
    deadAt: row.created_at,
    ...(row.resolution && row.resolved_at
      ? { resolution: { action: row.resolution, at: row.resolved_at } }
      : {}),
  };
}
