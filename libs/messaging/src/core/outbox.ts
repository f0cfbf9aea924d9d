import type { DataSource, EntityManager } from 'typeorm';
import type { EventDefinition, EventPayload } from '@fluxnote/contracts';
import { PreparedStatement } from '@fluxnote/persistence';
import { createEnvelope, type EventEnvelope } from './envelope';
import { outboxWritten } from './outbox-signal';

/** SQL for the outbox and inbox tables of a service schema; run it from the service's first migration. */
export function messagingTablesSql(schema: string): string[] {
  return [
    `CREATE TABLE "${schema}".outbox (
       seq bigserial PRIMARY KEY,
       event_id text NOT NULL,
       topic text NOT NULL,
       key text NOT NULL,
       envelope jsonb NOT NULL,
       created_at timestamptz NOT NULL DEFAULT now(),
       CONSTRAINT outbox_event_id_key UNIQUE (event_id)
     )`,
    `CREATE TABLE "${schema}".inbox (
       consumer text NOT NULL,
       event_id text NOT NULL,
       handled_at timestamptz NOT NULL DEFAULT now(),
       CONSTRAINT inbox_pkey PRIMARY KEY (consumer, event_id)
     )`,
  ];
}

/**
 * Writes events into the service's outbox inside the caller's transaction, so an
 * event exists if and only if the change that caused it was committed.
 */
export class Outbox {
  private readonly insert: PreparedStatement;

  constructor(
    private readonly schema: string,
    private readonly source: string,
  ) {
    this.insert = new PreparedStatement(
      `INSERT INTO "${schema}".outbox (event_id, topic, key, envelope) VALUES ($1, $2, $3, $4)`,
    );
  }

  async add<D extends EventDefinition>(
    manager: EntityManager,
    definition: D,
    subject: string,
    data: EventPayload<D>,
    time?: Date,
  ): Promise<EventEnvelope<EventPayload<D>>> {
    const { values, envelope } = this.row(definition, subject, data, time);
    await this.insert.run(manager, values);
    this.written(manager);
    return envelope;
  }

  /**
   * An event as the values of a row of `<schema>.outbox (event_id, topic, key, envelope)`, for a
   * statement of the caller's that makes a change and writes its event at once (no transaction
   * around two statements). Call `written` once that statement ran.
   */
  row<D extends EventDefinition>(
    definition: D,
    subject: string,
    data: EventPayload<D>,
    time?: Date,
  ): {
    values: [eventId: string, topic: string, key: string, envelope: string];
    envelope: EventEnvelope<EventPayload<D>>;
  } {
    const payload = definition.schema.parse(data) as EventPayload<D>;
    const envelope = createEnvelope({
      type: definition.type,
      source: this.source,
      subject,
      data: payload,
      time,
    });
    return {
      values: [envelope.id, definition.topic, subject, JSON.stringify(envelope)],
      envelope,
    };
  }

  /** `manager` wrote this outbox: the relay of this process wakes once that is committed. */
  written(manager: EntityManager): void {
    outboxWritten(manager, this.schema);
  }
}

/** What `schema`'s outbox holds that no relay has published yet (published rows are deleted). */
export async function outboxBacklog(
  dataSource: DataSource,
  schema: string,
): Promise<{ events: number; oldestSeconds: number }> {
  const [row] = await dataSource.query<{ events: number; oldest: number }[]>(
    `SELECT count(*)::int AS events,
            COALESCE(EXTRACT(EPOCH FROM now() - min(created_at)), 0)::float8 AS oldest
       FROM "${schema}".outbox`,
  );
  return { events: row.events, oldestSeconds: row.oldest };
}
