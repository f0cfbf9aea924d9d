import { Inject, Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { Clock, PeriodicWorker } from '@fluxnote/clock';
import { ticketEscalatedV1 } from '@fluxnote/contracts';
import { Outbox } from '@fluxnote/messaging';
import { SUPPORT_CONFIG, type SupportConfig } from '../config/support.config';
import { recordAudit } from '../tickets/ticket-audit.repository';
import { priorityClassName } from '../tickets/intake.rules';
import type { SlaStanding } from './sla-clock';
import { standingOf } from './ticket-standing';
import { slaRows } from './sla.repository';
import { SlaClocks } from './sla-clock';

const rank: Record<SlaStanding, number> = { on_track: 0, near: 1, breached: 2 };

/**
 * Escalates tickets still waiting for a first response: near their target
 * (`near`), then past it (`breached`, which moves the ticket up a class in the
 * queue). Each level is raised once per ticket — the update that sets it is the
 * one that publishes `support.ticket.escalated.v1` and audits it (no agent) —
 * so a pass repeated, or run by two replicas at once, tells nobody twice.
 */
@Injectable()
export class SlaWatch extends PeriodicWorker {
  protected readonly intervalMs: number;

  constructor(
    private readonly dataSource: DataSource,
    private readonly outbox: Outbox,
    private readonly clock: Clock,
    private readonly slaClocks: SlaClocks,
    @Inject(SUPPORT_CONFIG) config: SupportConfig,
  ) {
    super();
    this.intervalMs = config.SLA_WATCH_MS;
  }

  protected async pass(): Promise<void> {
    await this.escalate();
  }

  /** Returns how many escalations it raised. */
  async escalate(): Promise<number> {
    const now = this.clock.now();
    const waiting = await slaRows.waitingForFirstResponse(this.dataSource);
    let raised = 0;
    for (const row of waiting) {
      const level = standingOf(row, now, this.slaClocks);
      if (level === 'on_track' || rank[level] <= rank[row.escalation ?? 'on_track']) {
        continue;
      }
      const done = await this.dataSource.transaction(async (manager) => {
        if (!(await slaRows.escalate(manager, row.id, row.escalation, level))) {
          return false; // answered meanwhile, or another pass got there first
        }
        await this.outbox.add(manager, ticketEscalatedV1, row.id, {
          ticketId: row.id,
          level,
          category: row.category,
          priorityClass: priorityClassName(row.priority_class),
          plan: row.plan,
          channel: row.channel,
          dueAt: row.due_at.toISOString(),
          claimedBy: row.claimed_by,
          forSeniors: row.for_seniors,
        });
        await recordAudit(manager, {
          ticketId: row.id,
          actorId: null,
          action: `escalate_${level}`,
          before: { escalation: row.escalation },
          after: { escalation: level },
          at: now,
        });
        return true;
      });
      raised += done ? 1 : 0;
    }
    if (raised > 0) {
      this.logger.warn(`${raised} ticket escalation(s) raised`);
    }
    return raised;
  }
}
