import { randomBytes } from 'node:crypto';
import { Client, Pool } from 'pg';
import { DataSource } from 'typeorm';
import { CoalescedNotifier } from './coalesced-notifier';

// A database of its own on the test server (the testing library builds on this one).
async function withAdmin(sql: string): Promise<void> {
  const admin = new Client({ connectionString: process.env['TEST_DATABASE_URL'] });
  await admin.connect();
  try {
    await admin.query(sql);
  } finally {
    await admin.end();
  }
}

describe('CoalescedNotifier (Postgres)', () => {
  const dbName = `notifier_${randomBytes(6).toString('hex')}`;
  let dataSource: DataSource;
  let listener: Client;
  const heard: { channel: string; payload: string }[] = [];

  beforeAll(async () => {
    await withAdmin(`CREATE DATABASE ${dbName}`);
    const address = new URL(process.env['TEST_DATABASE_URL'] ?? '');
    address.pathname = `/${dbName}`;
    dataSource = await new DataSource({ type: 'postgres', url: address.toString() }).initialize();
    listener = new Client({ connectionString: address.toString() });
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
    await withAdmin(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`);
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
