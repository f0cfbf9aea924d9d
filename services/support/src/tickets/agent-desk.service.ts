import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { Clock } from '@fluxnote/clock';
import { ProblemError, ticketAnsweredV1 } from '@fluxnote/contracts';
import { Outbox } from '@fluxnote/messaging';
import type { SlaStanding } from '../sla/sla-clock';
import { standingOf } from '../sla/ticket-standing';
import { SlaClocks } from '../sla/sla-clock';
import { Customers } from '../customers/customers';
import { recordAudit } from './ticket-audit.repository';
import { ticketRows, type Ticket } from './tickets.repository';
import { deskRows } from './agent-desk.repository';
import { TicketsService } from './tickets.service';

export interface QueuedTicket extends Ticket {
  standing: SlaStanding;
}

const agentRoles = ['agent', 'senior_agent', 'admin'];

const seniorRoles = ['senior_agent', 'admin'];

/**
 * The agents' side: the queue in order (class, then earliest due), claims that
 * hand each ticket to exactly one agent however many claim at once, and
 * replies. Roles are checked here against support's own record of each
 * person, not only at the gateway; security tickets and suspension appeals
 * are for senior agents.
 * Every action is audited with the agent, the time, and the ticket before and after.
 */
@Injectable()
export class AgentDesk {
  constructor(
    private readonly dataSource: DataSource,
    private readonly tickets: TicketsService,
    private readonly outbox: Outbox,
    private readonly clock: Clock,
    private readonly customers: Customers,
    private readonly slaClocks: SlaClocks,
  ) {}

  async queue(actorId: string, limit = 50): Promise<QueuedTicket[]> {
    const senior = await this.assertAgent(actorId);
    const rows = await deskRows.queue(this.dataSource, senior, Math.min(Math.max(limit, 1), 200));
    const now = this.clock.now();
    return (await this.tickets.withMessages(rows)).map((ticket, i) => ({
      ...ticket,
      standing: standingOf(rows[i], now, this.slaClocks),
    }));
  }

  /** The next open, unclaimed ticket for this agent, or null when there is none. */
  async claimNext(actorId: string): Promise<Ticket | null> {
    const senior = await this.assertAgent(actorId);
    const claimed = await this.dataSource.transaction(async (manager) => {
      const row = await deskRows.claimFirst(manager, actorId, senior, this.clock.now());
      if (row) {
        await this.audit(
          manager,
          row.id,
          actorId,
          'claim',
          { claimedBy: null },
          { claimedBy: actorId },
        );
      }
      return row;
    });
    return claimed ? this.tickets.get(claimed.userId, claimed.id) : null;
  }

  /** A reply from the agent holding the ticket (or a senior agent): the first one meets the target. */
  async reply(actorId: string, ticketId: string, body: string): Promise<Ticket> {
    const senior = await this.assertAgent(actorId);
    const userId = await this.dataSource.transaction(async (manager) => {
      const row = await ticketRows.lock(manager, ticketId);
      if (!row) {
        throw ProblemError.notFound(`No ticket ${ticketId}.`);
      }
      if (row.for_seniors && !senior) {
        throw ProblemError.forbidden(
          'This ticket is for senior agents (security, suspension appeals).',
        );
      }
      if (row.claimed_by !== actorId && !senior) {
        throw ProblemError.conflict('Claim this ticket before replying to it.');
      }
      if (row.status === 'closed') {
        throw ProblemError.conflict('This ticket is closed.');
      }
      const now = this.clock.now();
      await this.tickets.appendMessage(manager, ticketId, 'agent', actorId, body);
      await deskRows.markAnswered(manager, ticketId, actorId, now);
      await this.audit(
        manager,
        ticketId,
        actorId,
        'reply',
        { status: row.status, firstResponseAt: row.first_response_at },
        { status: 'answered', firstResponseAt: row.first_response_at ?? now },
      );
      await this.outbox.add(manager, ticketAnsweredV1, row.user_id, {
        ticketId,
        userId: row.user_id,
        channel: row.channel,
        subject: row.subject,
        reply: body,
      });
      return row.user_id;
    });
    return this.tickets.get(userId, ticketId);
  }

  /** Returns whether the actor is a senior agent (or admin); throws 403 for anyone who is no agent. */
  async assertAgent(actorId: string): Promise<boolean> {
    // A role granted a moment ago may not have reached support's copy: accounts is asked then.
    const roles = await this.customers.rolesOf(actorId, seniorRoles);
    if (!roles.some((r) => agentRoles.includes(r))) {
      throw ProblemError.forbidden('Only support agents can do this.');
    }
    return roles.some((r) => seniorRoles.includes(r));
  }

  private async audit(
    manager: EntityManager,
    ticketId: string,
    actorId: string,
    action: string,
    before: Record<string, unknown>,
    after: Record<string, unknown>,
  ): Promise<void> {
    await recordAudit(manager, {
      ticketId,
      actorId,
      action,
      before,
      after,
      at: this.clock.now(),
    });
  }
}
