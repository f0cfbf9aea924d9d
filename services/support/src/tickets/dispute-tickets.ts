import { Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import type { EntityManager } from 'typeorm';
import { Clock } from '@fluxnote/clock';
import type { disputeOpenedV1, EventPayload } from '@fluxnote/contracts';
import { copiedCustomer } from '../customers/customers';
import { SlaClocks } from '../sla/sla-clock';
import { disputeTicketDue } from './dispute-ticket';
import { TicketsService } from './tickets.service';
import { PriorityClass } from './intake.rules';

type DisputeOpened = EventPayload<typeof disputeOpenedV1>;

function formatMoney(m: { amount: number; currency: string }): string {
  return `${(m.amount / 100).toFixed(2)} ${m.currency}`;
}

/**
 * A bank dispute of a charge becomes a ticket for senior agents: billing has frozen the credits
 * the charge bought, and someone has to answer the bank with evidence (or accept it) before the
 * deadline. Due at the customer's first-response target or two days before the evidence deadline,
 * whichever is sooner (`dispute-ticket.ts`).
 */
@Injectable()
export class DisputeTickets {
  constructor(
    private readonly tickets: TicketsService,
    private readonly slaClocks: SlaClocks,
    private readonly clock: Clock,
  ) {}

  async open(manager: EntityManager, dispute: DisputeOpened): Promise<void> {
    const { brand, plan } = await copiedCustomer(manager, dispute.userId);
    const openedAt = this.clock.now();
    const sla = this.slaClocks.forBrand(brand);
    const target = sla.target(plan, 'email', { security: false });
    const slaDue = target ? sla.dueAt(openedAt, target) : openedAt;
    const evidenceDueBy = dispute.evidenceDueBy ? new Date(dispute.evidenceDueBy) : null;
    const frozen = dispute.frozenCredits;
    await this.tickets.insert(manager, {
      id: randomUUID(),
      userId: dispute.userId,
      brand,
      plan,
      channel: 'email',
      subject: `Payment disputed with the bank: ${formatMoney(dispute.amount)} (${dispute.reason})`,
      category: 'billing',
      // A bank dispute has an evidence deadline: served with Max priority, whatever the plan.
      priorityClass: PriorityClass.MaxPriority,
      tags: ['dispute'],
      jobIds: [],
      openedAt,
      dueAt: disputeTicketDue(openedAt, slaDue, evidenceDueBy),
      forSeniors: true,
      suspensionId: null,
      disputeId: dispute.disputeId,
      body: [
        `The cardholder disputed charge ${dispute.chargeId} (${dispute.chargeKind}) with their bank.`,
        `Dispute: ${dispute.disputeId}, ${formatMoney(dispute.amount)}, reason: ${dispute.reason}.`,
        `Evidence due: ${evidenceDueBy ? evidenceDueBy.toISOString() : 'not given'}.`,
        `Frozen until it closes: ${frozen.video} video and ${frozen.image} image credits.`,
      ].join('\n'),
    });
  }
}
