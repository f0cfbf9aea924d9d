import { Logger, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { startPeriodicTask, type PeriodicTask } from '../periodic-task';

/**
 * A service's background pass, run every `intervalMs` from start-up to shutdown
 * (never overlapping itself; shutdown waits for a pass in progress). A failed
 * pass is logged and the next one runs as usual. Tests call the work directly.
 */
export abstract class PeriodicWorker implements OnApplicationBootstrap, OnModuleDestroy {
  protected readonly logger = new Logger(this.constructor.name);
  private task: PeriodicTask | undefined;

  protected abstract readonly intervalMs: number;
  /** Whether the first pass runs at start-up rather than one interval later. */
  protected readonly runAtStart: boolean = false;

  protected abstract pass(): Promise<void>;

  onApplicationBootstrap(): void {
    this.task = startPeriodicTask(this.intervalMs, () => this.pass(), {
      runNow: this.runAtStart,
      onError: (error) =>
        this.logger.error(`${this.constructor.name} pass failed: ${String(error)}`),
    });
  }

  async onModuleDestroy(): Promise<void> {
    await this.task?.stop();
  }
}
