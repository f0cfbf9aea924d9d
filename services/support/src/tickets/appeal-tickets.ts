import { Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { DataSource, type EntityManager } from 'typeorm';
import { Clock } from '@fluxnote/clock';
import { ProblemError } from '@fluxnote/contracts';
import { PlatformServices } from '../platform/platform-services';
import { copiedCustomer } from '../customers/customers';
import type { Ticket } from './tickets.repository';
import { TicketsService } from './tickets.service';
import { planClass } from './intake.rules';
import { ticketRows } from './tickets.repository';

/** What an appeal's ticket is made from: accounts' event, or accounts' record of the suspension. */
export interface Appeal {
  suspensionId: string;
  userId: string;
  statement: string;
  rule: string;
  evidence: string[];
  /** The 48-hour decision target, which is the ticket's target too. */
  decideBy: Date;
}

/**
 * A suspended user's one appeal becomes a ticket for senior agents, due when accounts says the
 * decision is due, with the statement, the rule and the cited evidence. One ticket per
 * suspension, whether accounts' event or the user's own request opens it first.
 */
@Injectable()
export class AppealTickets {
  constructor(
    private readonly dataSource: DataSource,
    private readonly tickets: TicketsService,
    private readonly platform: PlatformServices,
    private readonly clock: Clock,
  ) {}

  /** Opens the appeal's ticket inside the caller's transaction, unless it has one. */
  async open(manager: EntityManager, appeal: Appeal): Promise<void> {
    const { brand, plan } = await copiedCustomer(manager, appeal.userId);
    await this.tickets.insert(manager, {
      id: randomUUID(),
      userId: appeal.userId,
      brand,
      plan,
      channel: 'email',
      subject: `Suspension appeal: ${appeal.rule}`.slice(0, 200),
      category: 'suspension_appeal',
      priorityClass: planClass(plan),
      tags: [],
      jobIds: [],
      openedAt: this.clock.now(),
      dueAt: appeal.decideBy,
      forSeniors: true,
      suspensionId: appeal.suspensionId,
      body: `${appeal.statement}\n\nRule: ${appeal.rule}\nCited: ${appeal.evidence.join(', ')}\nSuspension: ${appeal.suspensionId}`,
    });
  }

  /**
   * The user's appeal ticket, right after they appealed: opened from accounts' record if the
   * event has not arrived yet. A user who has not appealed has none (409); one with no
   * suspension, 404 (from accounts).
   */
  async ofUser(userId: string): Promise<Ticket> {
    const suspension = await this.platform.suspension(userId);
    if (!suspension.appealedAt) {
      throw new ProblemError({
        type: 'not-appealed',
        title: 'Not appealed',
        status: 409,
        detail: 'This suspension has not been appealed, so there is no appeal ticket.',
      });
    }
    const ticketId = await this.dataSource.transaction(async (manager) => {
      await this.open(manager, {
        suspensionId: suspension.id,
        userId,
        statement: suspension.appealStatement,
        rule: suspension.rule,
        evidence: suspension.evidence,
        decideBy: new Date(suspension.decideBy),
      });
      return (await ticketRows.ofSuspension(manager, suspension.id, userId))!;
    });
    return this.tickets.get(userId, ticketId);
  }
}
