import { Injectable } from '@nestjs/common';
import { disputeOpenedV1 } from '@fluxnote/contracts';
import { EventConsumer, type EventRouter } from '@fluxnote/messaging';
import { DisputeTickets } from './dispute-tickets';

/** Billing's word that a charge is disputed with the bank: the dispute's ticket, once. */
@Injectable()
export class DisputeTicketsConsumer extends EventConsumer {
  readonly group = 'support.disputes';

  constructor(private readonly disputes: DisputeTickets) {
    super();
  }

  register(router: EventRouter): void {
    router.on(disputeOpenedV1, (event, { manager }) => this.disputes.open(manager, event));
  }
}
