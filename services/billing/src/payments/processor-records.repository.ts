import type { EntityManager } from 'typeorm';
import type { Sql } from '@fluxnote/persistence';

/**
 * What billing keeps of the payment processor: each user's customer there
 * (`billing.processor_customers`) and each webhook event handled (`billing.processor_events`).
 * Reads and writes only.
 */
export const processorRows = {
  async customerOf(sql: Sql, userId: string, processor: string): Promise<string | undefined> {
    const [row] = await sql.query<{ reference: string }[]>(
      `SELECT reference FROM billing.processor_customers WHERE user_id = $1 AND processor = $2`,
      [userId, processor],
    );
    return row?.reference;
  },

  /** Keeps the user's customer; the one kept first wins, and is answered. */
  async keepCustomer(
    sql: Sql,
    c: { userId: string; processor: string; reference: string; at: Date },
  ): Promise<string> {
    const [row] = await sql.query<{ reference: string }[]>(
      `INSERT INTO billing.processor_customers (user_id, processor, reference, created_at)
       VALUES ($1, $2, $3, $4)
       ON CONFLICT (user_id, processor) DO UPDATE SET reference = billing.processor_customers.reference
       RETURNING reference`,
      [c.userId, c.processor, c.reference, c.at],
    );
    return row.reference;
  },

  /**
   * Records a Stripe event as being handled; false when it was recorded before. A concurrent
   * delivery of the same event waits on the key until the first commits.
   */
  async startEvent(
    manager: EntityManager,
    eventId: string,
    type: string,
    at: Date,
  ): Promise<boolean> {
    const first = await manager.query<{ event_id: string }[]>(
      `INSERT INTO billing.processor_events (processor, event_id, type, outcome, received_at)
       VALUES ('stripe', $1, $2, 'handling', $3) ON CONFLICT DO NOTHING RETURNING event_id`,
      [eventId, type, at],
    );
    return first.length > 0;
  },

  async finishEvent(manager: EntityManager, eventId: string, outcome: string): Promise<void> {
    await manager.query(
      `UPDATE billing.processor_events SET outcome = $2 WHERE processor = 'stripe' AND event_id = $1`,
      [eventId, outcome],
    );
  },
};
