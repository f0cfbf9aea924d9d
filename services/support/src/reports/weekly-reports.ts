import { Injectable } from '@nestjs/common';
import { DateTime } from 'luxon';
import { DataSource } from 'typeorm';
import { Clock } from '@fluxnote/clock';
import { ProblemError } from '@fluxnote/contracts';
import { defaultSlaPolicy } from '../sla/sla-clock';
import { AgentDesk } from '../tickets/agent-desk.service';
import { reportRows } from './weekly-reports.repository';

export interface CategoryCount {
  category: string;
  count: number;
  /** The same category the week before. */
  previous: number;
  trend: 'up' | 'down' | 'flat' | 'new';
}

export interface SlaAttainment {
  plan: string;
  channel: string;
  tickets: number;
  /** First responses within the target. */
  met: number;
  /** Answered late, or past the target and still waiting. */
  breached: number;
  /** Still waiting, within the target. */
  pending: number;
  /** met / (met + breached); null while nothing is decided. */
  attainment: number | null;
}

export interface WeeklyReport {
  /** ISO week, e.g. 2026-W48, in the support team's time zone. */
  week: string;
  from: Date;
  to: Date;
  topIssues: CategoryCount[];
  sla: SlaAttainment[];
}

const TOP = 10;

/**
 * The product team's weekly view of support: the ten biggest ticket categories
 * of an ISO week (Monday to Monday in the support team's time zone) with the
 * week before for the trend, and first-response attainment per plan and
 * channel for the tickets opened that week. Agents and up.
 */
@Injectable()
export class WeeklyReports {
  constructor(
    private readonly dataSource: DataSource,
    private readonly desk: AgentDesk,
    private readonly clock: Clock,
  ) {}

  async topIssues(actorId: string, week: string | null): Promise<WeeklyReport> {
    await this.desk.assertAgent(actorId);
    const zone = defaultSlaPolicy.calendar.timeZone;
    const start =
      week === null
        ? DateTime.fromJSDate(this.clock.now(), { zone })
        : DateTime.fromISO(/^\d{4}-W\d{2}$/.test(week) ? week : 'invalid', { zone });
    if (!start.isValid) {
      throw ProblemError.badRequest('week must be an ISO week such as 2026-W48.', {
        field: 'week',
      });
    }
    const from = start.startOf('week');
    const to = from.plus({ weeks: 1 });
    const before = from.minus({ weeks: 1 });
    const counts = await reportRows.categoryCounts(
      this.dataSource,
      before.toJSDate(),
      from.toJSDate(),
      to.toJSDate(),
    );
    const topIssues = counts
      .filter((c) => c.count > 0)
      .sort((a, b) => b.count - a.count || a.category.localeCompare(b.category))
      .slice(0, TOP)
      .map((c) => ({
        ...c,
        trend:
          c.previous === 0
            ? ('new' as const)
            : c.count > c.previous
              ? ('up' as const)
              : c.count < c.previous
                ? ('down' as const)
                : ('flat' as const),
      }));
    const sla = await reportRows.firstResponses(
      this.dataSource,
      from.toJSDate(),
      to.toJSDate(),
      this.clock.now(),
    );
    return {
      week: from.toFormat("kkkk-'W'WW"),
      from: from.toJSDate(),
      to: to.toJSDate(),
      topIssues,
      sla: sla.map((s) => ({
        ...s,
        attainment: s.met + s.breached === 0 ? null : s.met / (s.met + s.breached),
      })),
    };
  }
}
