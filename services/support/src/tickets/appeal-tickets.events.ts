import { Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { Clock } from '@fluxnote/clock';
import { suspensionAppealedV1 } from '@fluxnote/contracts';
import { EventConsumer, type EventRouter } from '@fluxnote/messaging';

/**
 * A suspended user's one appeal becomes a ticket for senior agents, due when
 * accounts says the decision is due (48 hours), with the statement, the rule
 * and the cited evidence. One ticket per suspension, however often the event comes.
 */
@Injectable()
export class AppealTicketsConsumer extends EventConsumer {
  readonly group = 'support.appeals';

  constructor(private readonly clock: Clock) {
    super();
  }

  register(router: EventRouter): void {
    router.on(suspensionAppealedV1, async (event, { manager }) => {
      const [customer] = await manager.query<{ brand: string; plan: string }[]>(
        `SELECT brand, plan FROM support.customers WHERE user_id = $1`,
        [event.userId],
      );
      const plan = customer?.plan ?? 'free';
      const id = randomUUID();
      const now = this.clock.now();
      const [inserted] = await manager.query<{ id: string }[]>(
        `INSERT INTO support.tickets (id, user_id, brand, plan, channel, subject, category, priority_class,
           tags, status, job_ids, opened_at, due_at, for_seniors, suspension_id)
         VALUES ($1, $2, $3, $4, 'email', $5, 'suspension_appeal', $6, '{}', 'open', '{}', $7, $8, true, $9)
         ON CONFLICT (suspension_id) DO NOTHING RETURNING id`,
        [
          id,
          event.userId,
          customer?.brand ?? 'fluxnote',
          plan,
          `Suspension appeal: ${event.rule}`.slice(0, 200),
          plan === 'free' ? 3 : 2,
          now,
          new Date(event.decideBy),
          event.suspensionId,
        ],
      );
      if (inserted) {
        await manager.query(
          `INSERT INTO support.ticket_messages (id, ticket_id, author, author_id, body, created_at)
           VALUES ($1, $2, 'user', $3, $4, $5)`,
          [
            randomUUID(),
            id,
            event.userId,
            `${event.statement}\n\nRule: ${event.rule}\nCited: ${event.evidence.join(', ')}\nSuspension: ${event.suspensionId}`,
            now,
          ],
        );
      }
    });
  }
}
