import type { EventPayload, operationsAlertV1 } from '@fluxnote/contracts';
import type { Message } from './templates';

const detailValue = (value: unknown): string =>
  typeof value === 'string' ? value : JSON.stringify(value);

/** An alert for the people who run the platform: what, how bad, the facts behind it. */
export function operationsAlertMessage(event: EventPayload<typeof operationsAlertV1>): Message {
  return {
    category: 'operations',
    title: `${event.severity === 'critical' ? 'Critical' : 'Warning'}: ${event.summary}`,
    paragraphs: [
      `Alert ${event.kind}.`,
      ...Object.entries(event.details).map(([key, value]) => `${key}: ${detailValue(value)}`),
    ],
    action: { label: 'Open operations', path: '/admin' },
    channels: ['in_app', 'email', 'push'],
  };
}
