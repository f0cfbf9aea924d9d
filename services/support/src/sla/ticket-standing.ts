import type { TicketRow } from '../tickets/tickets.repository';
import type { SlaClocks, SlaStanding } from './sla-clock';

/**
 * How a ticket stands against its first-response target now, by its brand's
 * SLA clock (a ticket answered once is judged by that first response). A ticket whose due time is not its plan's target (a suspension
 * appeal is due when the decision is) is judged on its own due time.
 */
export function standingOf(
  row: Pick<
    TicketRow,
    | 'brand'
    | 'plan'
    | 'channel'
    | 'priority_class'
    | 'opened_at'
    | 'due_at'
    | 'suspension_id'
    | 'first_response_at'
  >,
  now: Date,
  clocks: SlaClocks,
): SlaStanding {
  if (row.first_response_at) {
    // answered once (a follow-up reopened it): the target was met or missed then
    return row.first_response_at <= row.due_at ? 'on_track' : 'breached';
  }
  const sla = clocks.forBrand(row.brand);
  const target = sla.target(row.plan, row.channel, { security: row.priority_class === 0 });
  if (!target || row.suspension_id) {
    return sla.standingByDueTime(row.opened_at, row.due_at, now);
  }
  return sla.standing(row.opened_at, target, now);
}
