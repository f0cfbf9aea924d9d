/** A task run every `intervalMs`, never overlapping itself; `stop()` waits for a run in progress. */
export interface PeriodicTask {
  stop(): Promise<void>;
}

export function startPeriodicTask(
  intervalMs: number,
  task: () => Promise<void>,
  options: { runNow?: boolean; onError: (error: unknown) => void },
): PeriodicTask {
  let running: Promise<void> = Promise.resolve();
  const run = (): void => {
    running = running.then(() => task().catch(options.onError));
  };
  if (options.runNow) {
    run();
  }
  const timer = setInterval(run, intervalMs);
  return {
    stop: async () => {
      clearInterval(timer);
      await running;
    },
  };
}
