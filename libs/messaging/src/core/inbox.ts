import type { DataSource, EntityManager } from 'typeorm';

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
    const inserted = await manager.query<unknown[]>(
      `INSERT INTO "${schema}".inbox (consumer, event_id) VALUES ($1, $2) ON CONFLICT DO NOTHING RETURNING event_id`,
      [consumer, eventId],
    );
    if (inserted.length === 0) {
      return false;
    }
    await work(manager);
    return true;
  });
}
