import { startPeriodicTask } from './periodic-task';

describe('startPeriodicTask', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  it('runs on its interval, never two at once, and reports errors without stopping', async () => {
    let active = 0;
    let maxActive = 0;
    let runs = 0;
    const errors: unknown[] = [];
    const task = startPeriodicTask(
      100,
      async () => {
        active++;
        maxActive = Math.max(maxActive, active);
        runs++;
        await new Promise((r) => setTimeout(r, 250));
        active--;
        if (runs === 1) {
          throw new Error('first run fails');
        }
      },
      { runNow: true, onError: (e) => errors.push(e) },
    );
    await jest.advanceTimersByTimeAsync(1000);
    const stopped = task.stop();
    await jest.advanceTimersByTimeAsync(5000);
    await stopped;
    expect(maxActive).toBe(1);
    expect(runs).toBeGreaterThanOrEqual(3);
    expect(errors).toHaveLength(1);
  });
});
