import { Inject, Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { Clock, PeriodicWorker } from '@fluxnote/clock';
import { ticketEscalatedV1 } from '@fluxnote/contracts';
import { Outbox } from '@fluxnote/messaging';
import { SUPPORT_CONFIG, type SupportConfig } from '../config/support.config';
import { recordAudit } from '../tickets/ticket-audit.repository';
import type { TicketRow } from '../tickets/tickets.repository';
import { priorityClassName } from '../tickets/intake.rules';
import type { SlaStanding } from './sla-clock';
import { standingOf } from './ticket-standing';
import { SlaClocks } from './sla-clock';

interface WatchedRow extends TicketRow {
  escalation: 'near' | 'breached' | null;
}

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
    const waiting = await this.dataSource.query<WatchedRow[]>(
      `SELECT * FROM support.tickets
        WHERE status = 'open' AND first_response_at IS NULL AND escalation IS DISTINCT FROM 'breached'
        ORDER BY due_at LIMIT 5000`,
    );
    let raised = 0;
    for (const row of waiting) {
      const level = standingOf(row, now, this.slaClocks);
      if (level === 'on_track' || rank[level] <= rank[row.escalation ?? 'on_track']) {
        continue;
      }
      const done = await this.dataSource.transaction(async (manager) => {
        const [updated] = await manager.query<[unknown[], number]>(
          `UPDATE support.tickets SET escalation = $2
            WHERE id = $1 AND status = 'open' AND first_response_at IS NULL
              AND escalation IS NOT DISTINCT FROM $3
            RETURNING id`,
          [row.id, level, row.escalation],
        );
        if (updated.length === 0) {
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
