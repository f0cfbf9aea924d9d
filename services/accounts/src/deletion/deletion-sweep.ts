import {
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnModuleDestroy,
} from '@nestjs/common';
import { startPeriodicTask, type PeriodicTask } from '@fluxnote/clock';
import { DeletionService } from './deletion.service';

const SWEEP_MS = 60_000;

/** Watches the 72-hour purge deadline (on the platform clock). */
@Injectable()
export class DeletionSweep implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(DeletionSweep.name);
  private task: PeriodicTask | undefined;

  constructor(private readonly deletions: DeletionService) {}

  onApplicationBootstrap(): void {
    this.task = startPeriodicTask(
      SWEEP_MS,
      async () => {
        const alerted = await this.deletions.alertNearDeadline();
        if (alerted > 0) {
          this.logger.warn(`${alerted} deletion(s) near their purge deadline: operations alerted`);
        }
      },
      { onError: (error) => this.logger.error(`deletion deadline sweep failed: ${String(error)}`) },
    );
  }

  async onModuleDestroy(): Promise<void> {
    await this.task?.stop();
  }
}
