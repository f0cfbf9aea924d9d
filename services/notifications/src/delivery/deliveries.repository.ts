import type { EntityManager } from 'typeorm';
import type { Sql } from '@fluxnote/persistence';
import { SECRET_REMOVED } from '../migrations/1764500000300-secrets-once-sent';
import type { PushPlatform } from './push-sender';

/** A claimed delivery, as the worker sends it. */
export interface DeliveryRow {
  id: string;
  event_id: string;
  user_id: string;
  channel: 'email' | 'push';
  category: string;
  address: string;
  subject: string;
  text_body: string;
  html_body: string | null;
  sender: string | null;
  link: string | null;
  attempts: number;
  /** Push: the device's platform, or null when the device is no longer registered. */
  platform: PushPlatform | null;
}

/** A delivery to queue: one channel and address of one person for one event. */
export interface QueuedDelivery {
  eventId: string;
  userId: string;
  channel: 'email' | 'push';
  address: string;
  subject: string;
  text: string;
  html: string | null;
  sender: string | null;
  link: string | null;
}

/**
 * Leaving `pending`, a delivery that held a one-time code or link keeps no copy of it: the
 * inbox has it, and the code is only stored hashed in accounts.
 */
const forgetSecret = `subject = CASE WHEN holds_secret THEN '${SECRET_REMOVED}' ELSE subject END,
    text_body = CASE WHEN holds_secret THEN '${SECRET_REMOVED}' ELSE text_body END,
    html_body = CASE WHEN holds_secret THEN NULL ELSE html_body END`;

/**
 * The rows of `notifications.deliveries`: reads and writes only. When a delivery is retried,
 * and when it is dead, is delivery-worker.ts; what goes out to whom is notifier.ts.
 */
export const deliveryRows = {
  /** The deliveries in one statement; one queued already for its event, user, channel and address is left alone. */
  async queue(
    manager: EntityManager,
    rows: (QueuedDelivery & { id: string })[],
    common: { category: string; priority: number; holdsSecret: boolean; at: Date },
  ): Promise<void> {
    const column = <K extends keyof (QueuedDelivery & { id: string })>(key: K) =>
      rows.map((r) => r[key]);
    await manager.query(
      `INSERT INTO notifications.deliveries (id, event_id, user_id, channel, category, address, subject,
         text_body, html_body, sender, link, priority, holds_secret, status, next_attempt_at, created_at)
       SELECT d.id, d.event_id, d.user_id, d.channel, $11, d.address, d.subject, d.text_body,
              d.html_body, d.sender, d.link, $12, $14, 'pending', $13, $13
         FROM unnest($1::uuid[], $2::text[], $3::uuid[], $4::text[], $5::text[], $6::text[],
                     $7::text[], $8::text[], $9::text[], $10::text[])
           AS d (id, event_id, user_id, channel, address, subject, text_body, html_body, sender, link)
       ON CONFLICT (event_id, user_id, channel, address) DO NOTHING`,
      [
        column('id'),
        column('eventId'),
        column('userId'),
        column('channel'),
        column('address'),
        column('subject'),
        column('text'),
        column('html'),
        column('sender'),
        column('link'),
        common.category,
        common.priority,
        common.at,
        common.holdsSecret,
      ],
    );
  },

  /**
   * Leases up to `limit` deliveries due at `now` until `leaseUntil`, counting the attempt:
   * personal messages (priority 0) before broadcasts, then the oldest due first.
   */
  async claimDue(sql: Sql, now: Date, leaseUntil: Date, limit: number): Promise<DeliveryRow[]> {
    return sql.query<DeliveryRow[]>(
      `WITH claimed AS (
         UPDATE notifications.deliveries SET attempts = attempts + 1, next_attempt_at = $2
          WHERE id IN (SELECT id FROM notifications.deliveries
                        WHERE status = 'pending' AND next_attempt_at <= $1
                        ORDER BY priority, next_attempt_at LIMIT $3 FOR UPDATE SKIP LOCKED)
          RETURNING id, event_id, user_id, channel, category, address, subject, text_body, html_body,
                    sender, link, attempts)
       SELECT c.*, d.platform FROM claimed c
         LEFT JOIN notifications.push_devices d ON c.channel = 'push' AND d.token = c.address`,
      [now, leaseUntil, limit],
    );
  },

  async discarded(sql: Sql, id: string, reason: string): Promise<void> {
    await sql.query(
      `UPDATE notifications.deliveries SET status = 'discarded', last_error = $2,
         ${forgetSecret} WHERE id = $1`,
      [id, reason],
    );
  },

  async sent(sql: Sql, id: string, at: Date): Promise<void> {
    await sql.query(
      `UPDATE notifications.deliveries SET status = 'sent', sent_at = $2, last_error = NULL,
         ${forgetSecret} WHERE id = $1`,
      [id, at],
    );
  },

  /** A failed attempt: tried again at `retryAt`, or dead (and its secret forgotten). */
  async failed(
    sql: Sql,
    id: string,
    outcome: { dead: boolean; retryAt: Date; error: string },
  ): Promise<void> {
    await sql.query(
      `UPDATE notifications.deliveries SET status = $2, next_attempt_at = $3, last_error = $4
         ${outcome.dead ? `, ${forgetSecret}` : ''} WHERE id = $1`,
      [id, outcome.dead ? 'dead' : 'pending', outcome.retryAt, outcome.error],
    );
  },
};
