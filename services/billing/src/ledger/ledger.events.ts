import { Injectable } from '@nestjs/common';
import { userRegisteredV1 } from '@fluxnote/contracts';
import { EventConsumer, type EventRouter } from '@fluxnote/messaging';
import { LedgerService } from './ledger.service';

/** Opens the credit account of every new user. */
@Injectable()
export class LedgerEventsConsumer extends EventConsumer {
  readonly group = 'billing.ledger';

  constructor(private readonly ledger: LedgerService) {
    super();
  }

  register(router: EventRouter): void {
    router.on(userRegisteredV1, (event, { manager }) =>
      this.ledger.openAccount(manager, event.userId, event.brand, event.plan, event.country),
    );
  }
}
