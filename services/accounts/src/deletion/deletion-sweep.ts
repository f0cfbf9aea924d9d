import { Injectable } from '@nestjs/common';
import { PeriodicWorker } from '@fluxnote/clock';
import { DeletionService } from './deletion.service';

/** Watches the 72-hour purge deadline (on the platform clock). */
@Injectable()
export class DeletionSweep extends PeriodicWorker {
  protected readonly intervalMs = 60_000;

  constructor(private readonly deletions: DeletionService) {
    super();
  }

  protected async pass(): Promise<void> {
    const alerted = await this.deletions.alertNearDeadline();
    if (alerted > 0) {
      this.logger.warn(`${alerted} deletion(s) near their purge deadline: operations alerted`);
    }
  }
}
