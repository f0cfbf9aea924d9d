import { IsNull, type EntityManager } from 'typeorm';
import type { Sql } from '@fluxnote/persistence';
import type { NotificationCategory } from '../messages/templates';
import { NotificationEntity } from './notification.entity';

/** NOTIFY channel: a user's id when an item is added to their feed. */
export const FEED_CHANNEL = 'notifications_feed';
/** Seeds the per-user feed lock's key, apart from other advisory locks on the same database. */
const FEED_LOCK_SEED = 7141;

export interface DeliveryView {
  id: string;
  eventId: string;
  userId: string;
  channel: string;
  category: string;
  status: 'pending' | 'sent' | 'dead' | 'discarded';
  attempts: number;
  lastError: string | null;
  createdAt: Date;
  sentAt: Date | null;
}

interface DeliveryRow {
  id: string;
  event_id: string;
  user_id: string;
  channel: string;
  category: string;
  status: DeliveryView['status'];
  attempts: number;
  last_error: string | null;
  created_at: Date;
  sent_at: Date | null;
}

const deliveryColumns =
  'id, event_id, user_id, channel, category, status, attempts, last_error, created_at, sent_at';

function toDelivery(r: DeliveryRow): DeliveryView {
  return {
    id: r.id,
    eventId: r.event_id,
    userId: r.user_id,
    channel: r.channel,
    category: r.category,
    status: r.status,
    attempts: r.attempts,
    lastError: r.last_error,
    createdAt: r.created_at,
    sentAt: r.sent_at,
  };
}

/**
 * The rows of `notifications.notifications` (the in-app feed) and what the feed shows of
 * `notifications.deliveries`: reads and writes only. Who sees what is feed.service.ts.
 */
export const feedRows = {
  /**
   * Holds the users' feed locks until the transaction ends, taken in key order so that two
   * writers never wait on each other in a circle.
   */
  async lockUsers(manager: EntityManager, userIds: string[]): Promise<void> {
    await manager.query(
      `SELECT pg_advisory_xact_lock(k) FROM (
         SELECT DISTINCT hashtextextended(u::text, ${FEED_LOCK_SEED}) AS k FROM unnest($1::uuid[]) u ORDER BY 1
       ) keys`,
      [userIds],
    );
  },

  /** One item per target, once per event id; live streams hear of them at commit. */
  async insertMany(
    manager: EntityManager,
    targets: { id: string; userId: string; eventId: string }[],
    item: {
      category: NotificationCategory;
      title: string;
      body: string;
      data: Record<string, unknown>;
      createdAt: Date;
    },
  ): Promise<void> {
    await manager.query(
      `WITH added AS (
         INSERT INTO notifications.notifications (id, user_id, event_id, category, title, body, data,
                                                  created_at)
         SELECT t.id, t.user_id, t.event_id, $4, $5, $6, $7, $9
           FROM unnest($1::uuid[], $2::uuid[], $3::text[]) AS t (id, user_id, event_id)
         ON CONFLICT (event_id) DO NOTHING
         RETURNING user_id
       )
       SELECT pg_notify($8, user_id::text) FROM added`,
      [
        targets.map((t) => t.id),
        targets.map((t) => t.userId),
        targets.map((t) => t.eventId),
        item.category,
        item.title,
        item.body,
        JSON.stringify(item.data),
        FEED_CHANNEL,
        item.createdAt,
      ],
    );
  },

  /**
   * The user's items newest first: the order they were written in (the per-user sequence),
   * whatever the clock said; only unread ones, or only those before a sequence number, if asked.
   */
  async newestFirst(
    sql: Sql,
    userId: string,
    options: { unreadOnly: boolean; before?: string; take: number },
  ): Promise<NotificationEntity[]> {
    const query = sql
      .getRepository(NotificationEntity)
      .createQueryBuilder('n')
      .where('n.user_id = :userId', { userId })
      .orderBy('n.seq', 'DESC')
      .take(options.take);
    if (options.unreadOnly) {
      query.andWhere('n.read_at IS NULL');
    }
    if (options.before) {
      query.andWhere('n.seq < :before', { before: options.before });
    }
    return query.getMany();
  },

  async unreadCount(sql: Sql, userId: string): Promise<number> {
    return sql.getRepository(NotificationEntity).countBy({ userId, readAt: IsNull() });
  },

  /** The user's items after `afterSeq`, oldest first. */
  async after(
    sql: Sql,
    userId: string,
    afterSeq: number,
    limit: number,
  ): Promise<NotificationEntity[]> {
    return sql
      .getRepository(NotificationEntity)
      .createQueryBuilder('n')
      .where('n.user_id = :userId AND n.seq > :afterSeq', { userId, afterSeq })
      .orderBy('n.seq', 'ASC')
      .take(limit)
      .getMany();
  },

  /** The user's newest sequence number, 0 before the first item. */
  async lastSeq(sql: Sql, userId: string): Promise<number> {
    const [row] = await sql.query<{ seq: string | null }[]>(
      `SELECT max(seq) AS seq FROM notifications.notifications WHERE user_id = $1`,
      [userId],
    );
    return Number(row?.seq ?? 0);
  },

  async own(sql: Sql, userId: string, id: string): Promise<NotificationEntity | null> {
    return sql.getRepository(NotificationEntity).findOneBy({ id, userId });
  },

  /** The user's item that replaced `id` (a digest lists the items it supersedes). */
  async superseding(sql: Sql, userId: string, id: string): Promise<NotificationEntity | null> {
    return sql
      .getRepository(NotificationEntity)
      .createQueryBuilder('n')
      .where(`n.userId = :userId AND n.data->'supersedes' @> jsonb_build_array(:id::text)`, {
        userId,
        id,
      })
      .getOne();
  },

  async markRead(sql: Sql, id: string, at: Date): Promise<void> {
    await sql.getRepository(NotificationEntity).update({ id }, { readAt: at });
  },

  /** The user's open jobs-ready digest written after `since`, locked until the transaction ends. */
  async openDigest(
    manager: EntityManager,
    userId: string,
    since: Date,
  ): Promise<
    { id: string; data: { jobIds?: string[]; count?: number; supersedes?: string[] } } | undefined
  > {
    const [open] = await manager.query<
      { id: string; data: { jobIds?: string[]; count?: number; supersedes?: string[] } }[]
    >(
      `SELECT id, data FROM notifications.notifications
        WHERE user_id = $1 AND read_at IS NULL AND data->>'digest' = 'jobs-ready' AND created_at > $2
        ORDER BY seq DESC LIMIT 1 FOR UPDATE`,
      [userId, since],
    );
    return open;
  },

  async remove(manager: EntityManager, id: string): Promise<void> {
    await manager.query(`DELETE FROM notifications.notifications WHERE id = $1`, [id]);
  },

  /** How each of the user's events went out on the other channels. */
  async deliveriesOf(sql: Sql, userId: string, eventIds: string[]): Promise<DeliveryView[]> {
    const rows = await sql.query<DeliveryRow[]>(
      `SELECT ${deliveryColumns} FROM notifications.deliveries WHERE user_id = $1 AND event_id = ANY($2)`,
      [userId, eventIds],
    );
    return rows.map(toDelivery);
  },

  /** Deliveries that failed every attempt, newest first. */
  async deadDeliveries(sql: Sql, limit: number): Promise<DeliveryView[]> {
    const rows = await sql.query<DeliveryRow[]>(
      `SELECT ${deliveryColumns} FROM notifications.deliveries WHERE status = 'dead'
        ORDER BY created_at DESC LIMIT $1`,
      [limit],
    );
    return rows.map(toDelivery);
  },
};
