import { Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { Clock } from '@fluxnote/clock';
import { suspensionAppealedV1 } from '@fluxnote/contracts';
import { EventConsumer, type EventRouter } from '@fluxnote/messaging';
import type { SupportPlan } from '../sla/sla-clock';
import { TicketsService } from './tickets.service';

/**
 * A suspended user's one appeal becomes a ticket for senior agents, due when
 * accounts says the decision is due (48 hours), with the statement, the rule
 * and the cited evidence. One ticket per suspension, however often the event comes.
 */
@Injectable()
export class AppealTicketsConsumer extends EventConsumer {
  readonly group = 'support.appeals';

  constructor(
    private readonly tickets: TicketsService,
    private readonly clock: Clock,
  ) {
    super();
  }

  register(router: EventRouter): void {
    router.on(suspensionAppealedV1, async (event, { manager }) => {
      const [customer] = await manager.query<{ brand: string; plan: SupportPlan }[]>(
        `SELECT brand, plan FROM support.customers WHERE user_id = $1`,
        [event.userId],
      );
      const plan = customer?.plan ?? 'free';
      await this.tickets.insert(manager, {
        id: randomUUID(),
        userId: event.userId,
        brand: customer?.brand ?? 'fluxnote',
        plan,
        channel: 'email',
        subject: `Suspension appeal: ${event.rule}`.slice(0, 200),
        category: 'suspension_appeal',
        priorityClass: plan === 'free' ? 3 : 2,
        tags: [],
        jobIds: [],
        openedAt: this.clock.now(),
        dueAt: new Date(event.decideBy),
        forSeniors: true,
        suspensionId: event.suspensionId,
        body: `${event.statement}\n\nRule: ${event.rule}\nCited: ${event.evidence.join(', ')}\nSuspension: ${event.suspensionId}`,
      });
    });
  }
}
