import { Client } from 'pg';
import type { EventEnvelope } from '../core/envelope';
import { describeEventBusContract } from '../../test/event-bus.contract';
import { PgEventBus } from './pg-event-bus';

jest.setTimeout(120_000);

describeEventBusContract('embedded (Postgres)', () => ({
  transport: (databaseUrl) =>
    new PgEventBus({ databaseUrl, sessionTimeoutMs: 1500, idlePollMs: 200 }),
  childEnv: () => ({ KAFKA_BROKERS: '' }),
  takeoverMs: 1600,
  deadLetters: async (databaseUrl, topic, group) => {
    const client = new Client({ connectionString: databaseUrl });
    await client.connect();
    try {
      const { rows } = await client.query<{
        envelope: EventEnvelope;
        attempts: number;
        error: string;
      }>(
        'SELECT envelope, attempts, error FROM bus.dead_letters WHERE topic = $1 AND group_id = $2 ORDER BY id',
        [topic, group],
      );
      // A handler that keeps failing used all three attempts; a malformed payload none beyond the first.
      expect(rows.map((r) => r.attempts)).toEqual([3, 1]);
      return rows.map((r) => r.envelope);
    } finally {
      await client.end();
    }
  },
}));
