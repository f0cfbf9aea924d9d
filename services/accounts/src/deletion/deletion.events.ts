import { Injectable } from '@nestjs/common';
import { purgingServices, userPurgedEvents } from '@fluxnote/contracts';
import { EventConsumer, type EventRouter } from '@fluxnote/messaging';
import { DeletionService } from './deletion.service';

/** Collects each service's purge confirmation. */
@Injectable()
export class DeletionEventsConsumer extends EventConsumer {
  readonly group = 'accounts.deletion';

  constructor(private readonly deletions: DeletionService) {
    super();
  }

  register(router: EventRouter): void {
    for (const service of purgingServices) {
      router.on(userPurgedEvents[service], (event, { manager }) =>
        this.deletions.confirm(manager, event.deletionId, service),
      );
    }
  }
}
