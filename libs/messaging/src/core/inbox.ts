import type { DataSource, EntityManager } from 'typeorm';
import { PreparedStatement } from '@fluxnote/persistence';

interface InboxStatements {
  /** Records one event id; no row comes back when it was there already. */
  recordOne: PreparedStatement;
  /** Records a run of event ids; returns those that were new. */
  recordMany: PreparedStatement<{ event_id: string }>;
}

const bySchema = new Map<string, InboxStatements>();

/** The inbox statements of a service schema, prepared once per connection. */
export function inboxStatements(schema: string): InboxStatements {
  let statements = bySchema.get(schema);
  if (!statements) {
    statements = {
      recordOne: new PreparedStatement(
        `INSERT INTO "${schema}".inbox (consumer, event_id) VALUES ($1, $2)
         ON CONFLICT DO NOTHING RETURNING event_id`,
      ),
      recordMany: new PreparedStatement<{ event_id: string }>(
        `INSERT INTO "${schema}".inbox (consumer, event_id) SELECT $1, unnest($2::text[])
         ON CONFLICT DO NOTHING RETURNING event_id`,
      ),
    };
    bySchema.set(schema, statements);
  }
  return statements;
}

/**
 * Runs a handler at most once per (consumer, event id): the inbox row and the
 * handler's writes commit together, so a redelivered event changes nothing.
 * Returns false when the event had already been handled.
 */
export async function handleOnce(
  dataSource: DataSource,
  schema: string,
  consumer: string,
  eventId: string,
  work: (manager: EntityManager) => Promise<void>,
): Promise<boolean> {
  return dataSource.transaction(async (manager) => {
    const inserted = await inboxStatements(schema).recordOne.run(manager, [consumer, eventId]);
    if (inserted.length === 0) {
      return false;
    }
    await work(manager);
    return true;
  });
}
