import { randomUUID } from 'node:crypto';
import { context, propagation } from '@opentelemetry/api';

/** CloudEvents 1.0 structured envelope, plus the W3C trace context it travels with. */
export interface EventEnvelope<T = unknown> {
  specversion: '1.0';
  id: string;
  type: string;
  source: string;
  time: string;
  /** The user the event is about; also the partition key. */
  subject: string;
  datacontenttype: 'application/json';
  data: T;
  traceparent?: string;
  tracestate?: string;
}

export function createEnvelope<T>(input: {
  type: string;
  source: string;
  subject: string;
  data: T;
  time?: Date;
  id?: string;
}): EventEnvelope<T> {
  const carrier: Record<string, string> = {};
  propagation.inject(context.active(), carrier);
  return {
    specversion: '1.0',
    id: input.id ?? randomUUID(),
    type: input.type,
    source: input.source,
    time: (input.time ?? new Date()).toISOString(),
    subject: input.subject,
    datacontenttype: 'application/json',
    data: input.data,
    ...(carrier['traceparent'] ? { traceparent: carrier['traceparent'] } : {}),
    ...(carrier['tracestate'] ? { tracestate: carrier['tracestate'] } : {}),
  };
}

/** Parses an envelope from the wire, refusing anything that is not one. */
export function parseEnvelope(raw: unknown): EventEnvelope {
  const value = typeof raw === 'string' ? (JSON.parse(raw) as unknown) : raw;
  if (typeof value !== 'object' || value === null) {
    throw new TypeError('event is not an object');
  }
  const v = value as Record<string, unknown>;
  for (const field of ['id', 'type', 'source', 'time', 'subject']) {
    if (typeof v[field] !== 'string' || v[field] === '') {
      throw new TypeError(`event has no ${field}`);
    }
  }
  if (v['specversion'] !== '1.0') {
    throw new TypeError('event is not CloudEvents 1.0');
  }
  return value as EventEnvelope;
}
