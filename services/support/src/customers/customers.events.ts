import { Injectable } from '@nestjs/common';
import { subscriptionChangedV1, userRegisteredV1, userRolesChangedV1 } from '@fluxnote/contracts';
import { EventConsumer, type EventRouter } from '@fluxnote/messaging';

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
        await manager.query(
          `INSERT INTO support.customers (user_id, brand, plan, roles, email) VALUES ($1, $2, $3, $4, $5)
           ON CONFLICT (user_id) DO UPDATE SET brand = $2, roles = $4, email = COALESCE($5, support.customers.email)`,
          [event.userId, event.brand, event.plan, event.roles ?? [], event.email ?? null],
        );
      })
      .on(userRolesChangedV1, async (event, { manager }) => {
        // same topic and key as the registration: it is always here first
        await manager.query(`UPDATE support.customers SET roles = $2 WHERE user_id = $1`, [
          event.userId,
          event.roles,
        ]);
      })
      .on(subscriptionChangedV1, async (event, { manager }) => {
        // Billing opens the account after registration; a plan change may arrive first.
        await manager.query(
          `INSERT INTO support.customers (user_id, brand, plan) VALUES ($1, 'fluxnote', $2)
           ON CONFLICT (user_id) DO UPDATE SET plan = $2`,
          [event.userId, event.plan],
        );
      });
  }
}
