import type { EventPayload, operationsAlertV1, ticketEscalatedV1 } from '@fluxnote/contracts';
import type { Message } from './templates';

const detailValue = (value: unknown): string =>
  typeof value === 'string' ? value : JSON.stringify(value);

/** An alert for the people who run the platform: what, how bad, the facts behind it. */
export function operationsAlertMessage(
  event: EventPayload<typeof operationsAlertV1>,
  action = { label: 'Open operations', path: '/admin' },
): Message {
  return {
    category: 'operations',
    title: `${event.severity === 'critical' ? 'Critical' : 'Warning'}: ${event.summary}`,
    paragraphs: [
      `Alert ${event.kind}.`,
      ...Object.entries(event.details).map(([key, value]) => `${key}: ${detailValue(value)}`),
    ],
    action,
    channels: ['in_app', 'email', 'push'],
  };
}

/**
 * A support ticket near or past its first-response target, as an operations
 * alert: critical when a security or Max priority ticket is breached.
 */
export function ticketEscalationAlert(
  event: EventPayload<typeof ticketEscalatedV1>,
): EventPayload<typeof operationsAlertV1> {
  const breached = event.level === 'breached';
  const urgent = event.priorityClass === 'security' || event.priorityClass === 'max_priority';
  return {
    kind: breached ? 'support-sla-breached' : 'support-sla-near',
    severity: breached && urgent ? 'critical' : 'warning',
    summary: breached
      ? `A ${event.priorityClass} ticket is past its first-response target`
      : `A ${event.priorityClass} ticket is near its first-response target`,
    details: {
      ticketId: event.ticketId,
      category: event.category,
      plan: event.plan,
      channel: event.channel,
      dueAt: event.dueAt,
      claimedBy: event.claimedBy ?? 'nobody',
    },
  };
}
