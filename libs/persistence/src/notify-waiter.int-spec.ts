import { draining } from '@fluxnote/telemetry';
import { scratchDatabase } from '../test/scratch-database';
import { NotifyWaiter } from './notify-waiter';

describe('NotifyWaiter when the process drains', () => {
  let db: { url: string; drop(): Promise<void> };
  let waiter: NotifyWaiter;

  beforeAll(async () => {
    db = await scratchDatabase('notify_waiter_drain');
    waiter = new NotifyWaiter(db.url, 'drain_spec', () => undefined);
  });

  afterAll(async () => {
    await waiter.close();
    await db.drop();
  });

  it('answers the long polls waiting at once, and does not wait on later ones', async () => {
    // waits longer than the test may run: only the drain can answer them in time
    const waiting = waiter.waitFor('user-1', () => Promise.resolve([]), 60_000);
    await new Promise((resolve) => setTimeout(resolve, 100)); // it is waiting now
    draining.begin();
    expect(await waiting).toEqual([]);
    expect(await waiter.waitFor('user-2', () => Promise.resolve([]), 60_000)).toEqual([]);
  });
});
