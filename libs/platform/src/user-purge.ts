import type { Provider } from '@nestjs/common';
import { deletionRequestedV1, userPurgedEvents, type PurgingService } from '@fluxnote/contracts';
import { EventConsumer, Outbox, type EventRouter } from '@fluxnote/messaging';

/**
 * A service's part of an account deletion: on the request, delete every row it
 * holds for the user (statements in order, `$1` the user id) and its own
 * not-yet-published events about them, then confirm — all in the handler's
 * transaction, so a redelivered request purges and confirms once.
 */
export class UserPurgeConsumer extends EventConsumer {
  readonly group: string;

  constructor(
    private readonly service: PurgingService,
    private readonly statements: readonly string[],
    private readonly outbox: Outbox,
  ) {
    super();
    this.group = `${service}.user-purge`;
  }

  register(router: EventRouter): void {
    router.on(deletionRequestedV1, async (event, { manager }) => {
      for (const sql of this.statements) {
        await manager.query(sql, [event.userId]);
      }
      await manager.query(`DELETE FROM "${this.service}".outbox WHERE key = $1`, [event.userId]);
      await this.outbox.add(manager, userPurgedEvents[this.service], event.deletionId, {
        deletionId: event.deletionId,
        service: this.service,
      });
    });
  }
}

/** The purge consumer for a service's module. */
export function userPurgeProviders(
  service: PurgingService,
  statements: readonly string[],
): Provider[] {
  return [
    {
      provide: UserPurgeConsumer,
      useFactory: (outbox: Outbox) => new UserPurgeConsumer(service, statements, outbox),
      inject: [Outbox],
    },
  ];
}
