import { Injectable } from '@nestjs/common';
import { suspensionAppealedV1 } from '@fluxnote/contracts';
import { EventConsumer, type EventRouter } from '@fluxnote/messaging';
import { AppealTickets } from './appeal-tickets';

/** Accounts' word that a user appealed: the appeal's ticket (`appeal-tickets.ts`), once. */
@Injectable()
export class AppealTicketsConsumer extends EventConsumer {
  readonly group = 'support.appeals';

  constructor(private readonly appeals: AppealTickets) {
    super();
  }

  register(router: EventRouter): void {
    router.on(suspensionAppealedV1, (event, { manager }) =>
      this.appeals.open(manager, { ...event, decideBy: new Date(event.decideBy) }),
    );
  }
}
