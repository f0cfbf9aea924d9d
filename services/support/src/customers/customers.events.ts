import { Injectable } from '@nestjs/common';
import { subscriptionChangedV1, userRegisteredV1, userRolesChangedV1 } from '@fluxnote/contracts';
import { EventConsumer, type EventRouter } from '@fluxnote/messaging';
import { customerRows } from './customers.repository';

/**
 * What support must know of a customer to route a ticket: brand, plan (the
 * SLA and whether chat is offered), roles (who may act as an agent), email
 * (email tickets are answered there).
 */
@Injectable()
export class CustomersConsumer extends EventConsumer {
  readonly group = 'support.customers';

  register(router: EventRouter): void {
    router
      .on(userRegisteredV1, async (event, { manager }) => {
        await customerRows.registered(manager, {
          userId: event.userId,
          brand: event.brand,
          plan: event.plan,
          roles: event.roles ?? [],
          email: event.email ?? null,
        });
      })
      .on(userRolesChangedV1, async (event, { manager }) => {
        // same topic and key as the registration: it is always here first
        await customerRows.setRoles(manager, event.userId, event.roles);
      })
      .on(subscriptionChangedV1, async (event, { manager }) => {
        // Billing opens the account after registration; a plan change may arrive first.
        await customerRows.setPlan(manager, event.userId, event.plan);
      });
  }
}
