import { Client, Pool } from 'pg';
import { DataSource } from 'typeorm';
import { scratchDatabase } from '../test/scratch-database';
import { CoalescedNotifier } from './coalesced-notifier';

describe('CoalescedNotifier (Postgres)', () => {
  let db: { url: string; drop(): Promise<void> };
  let dataSource: DataSource;
  let listener: Client;
  const heard: { channel: string; payload: string }[] = [];

  beforeAll(async () => {
    db = await scratchDatabase('notifier');
    dataSource = await new DataSource({ type: 'postgres', url: db.url }).initialize();
    listener = new Client({ connectionString: db.url });
    await listener.connect();
    listener.on('notification', (m) =>
      heard.push({ channel: m.channel, payload: m.payload ?? '' }),
    );
    await listener.query('LISTEN work_a');
    await listener.query('LISTEN work_b');
  });

  afterAll(async () => {
    await listener.end();
    await dataSource.destroy();
    await db.drop();
  });

  it('sends a burst of wake-ups in one statement, each channel and payload once', async () => {
    const statements = jest.spyOn(Pool.prototype, 'query');
    const notifier = new CoalescedNotifier(dataSource);
    try {
      for (let i = 0; i < 100; i++) {
        notifier.notify('work_a', `model-${i % 10}`);
      }
      notifier.notify('work_b', 'user-1');
      await notifier.idle();
      const sent = statements.mock.calls.filter(([query]) =>
        JSON.stringify(query).includes('pg_notify'),
      );
      expect(sent).toHaveLength(1);
      await new Promise((resolve) => setTimeout(resolve, 200));
      expect(
        heard
          .filter((h) => h.channel === 'work_a')
          .map((h) => h.payload)
          .sort(),
      ).toEqual(Array.from({ length: 10 }, (_, i) => `model-${i}`).sort());
      expect(heard.filter((h) => h.channel === 'work_b')).toEqual([
        { channel: 'work_b', payload: 'user-1' },
      ]);
    } finally {
      statements.mockRestore();
    }
  });

  it('sends what is asked while a statement is in flight in the next one, and survives a failure', async () => {
    heard.length = 0;
    const errors: unknown[] = [];
    const notifier = new CoalescedNotifier(dataSource, (error) => errors.push(error));
    notifier.notify('work_a', 'first');
    await new Promise((resolve) => setImmediate(resolve)); // the first statement is on its way
    notifier.notify('work_a', 'second');
    notifier.notify('work_a', 'x'.repeat(9000)); // longer than NOTIFY allows: that statement fails
    await notifier.idle();
    notifier.notify('work_a', 'third');
    await notifier.idle();
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(heard.map((h) => h.payload)).toEqual(['first', 'third']);
    expect(errors).toHaveLength(1);
  });
});
