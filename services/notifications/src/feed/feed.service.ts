import { Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { DataSource, IsNull, type EntityManager } from 'typeorm';
import { Clock } from '@fluxnote/clock';
import { ProblemError } from '@fluxnote/contracts';
import type { NotificationCategory } from '../messages/templates';
import { NotificationEntity } from './notification.entity';

export interface FeedItem {
  category: NotificationCategory;
  title: string;
  body: string;
}

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

export const FEED_CHANNEL = 'notifications_feed';
/** Seeds the per-user feed lock's key, apart from other advisory locks on the same database. */
const FEED_LOCK_SEED = 7141;

/** The in-app feed: written from events, read by its owner only. */
@Injectable()
export class FeedService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly clock: Clock,
  ) {}

  /**
   * One item per target (once per event id). Each user's items are written
   * under a per-user lock held to commit, so their sequence numbers grow in
   * commit order even when a broadcast and a user's own events are written at
   * once — a live stream resuming "after N" never skips one. Live streams hear
   * of the new items (NOTIFY) when the transaction commits.
   */
  async addMany(
    manager: EntityManager,
    targets: readonly { userId: string; eventId: string }[],
    message: FeedItem,
    data: Record<string, unknown>,
  ): Promise<void> {
    if (targets.length === 0) {
      return;
    }
    const userIds = targets.map((t) => t.userId);
    // Locks taken in key order, so two writers never wait on each other in a circle.
    await manager.query(
      `SELECT pg_advisory_xact_lock(k) FROM (
         SELECT DISTINCT hashtextextended(u::text, ${FEED_LOCK_SEED}) AS k FROM unnest($1::uuid[]) u ORDER BY 1
       ) keys`,
      [userIds],
    );
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
        targets.map(() => randomUUID()),
        userIds,
        targets.map((t) => t.eventId),
        message.category,
        message.title,
        message.body,
        JSON.stringify(data),
        FEED_CHANNEL,
        this.clock.now(),
      ],
    );
  }

  async list(
    userId: string,
    options: { unreadOnly: boolean; limit: number; cursor?: string },
  ): Promise<{ items: NotificationEntity[]; nextCursor: string | null; unreadCount: number }> {
    const size = Math.min(Math.max(options.limit || 20, 1), 100);
    const query = this.dataSource
      .getRepository(NotificationEntity)
      .createQueryBuilder('n')
      .where('n.user_id = :userId', { userId })
      // newest first: the order they were written in (the per-user sequence), whatever the clock said
      .orderBy('n.seq', 'DESC')
      .take(size + 1);
    if (options.unreadOnly) {
      query.andWhere('n.read_at IS NULL');
    }
    if (options.cursor) {
      const before = /^seq:(\d{1,18})$/.exec(
        Buffer.from(options.cursor, 'base64url').toString('utf8'),
      )?.[1];
      if (!before) {
        throw ProblemError.badRequest('The cursor is not one this API returned.', {
          field: 'cursor',
        });
      }
      query.andWhere('n.seq < :before', { before });
    }
    const rows = await query.getMany();
    const items = rows.slice(0, size);
    const last = items[items.length - 1];
    const unreadCount = await this.dataSource
      .getRepository(NotificationEntity)
      .countBy({ userId, readAt: IsNull() });
    return {
      items,
      nextCursor:
        rows.length > size && last ? Buffer.from(`seq:${last.seq}`).toString('base64url') : null,
      unreadCount,
    };
  }

  /** The user's items after `afterSeq`, oldest first (a live stream's next batch). */
  async after(userId: string, afterSeq: number, limit = 100): Promise<NotificationEntity[]> {
    return this.dataSource
      .getRepository(NotificationEntity)
      .createQueryBuilder('n')
      .where('n.user_id = :userId AND n.seq > :afterSeq', { userId, afterSeq })
      .orderBy('n.seq', 'ASC')
      .take(limit)
      .getMany();
  }

  /** The user's newest sequence number (0 before the first item): where a fresh stream starts. */
  async lastSeq(userId: string): Promise<number> {
    const rows = await this.dataSource.query<{ seq: string | null }[]>(
      `SELECT max(seq) AS seq FROM notifications.notifications WHERE user_id = $1`,
      [userId],
    );
    return Number(rows[0]?.seq ?? 0);
  }

  /** How each listed item went out on the other channels, by its event. */
  async deliveriesOf(userId: string, eventIds: string[]): Promise<DeliveryView[]> {
    if (eventIds.length === 0) {
      return [];
    }
    const rows = await this.dataSource.query<DeliveryRow[]>(
      `SELECT ${deliveryColumns} FROM notifications.deliveries WHERE user_id = $1 AND event_id = ANY($2)`,
      [userId, eventIds],
    );
    return rows.map(toDelivery);
  }

  /** The dead-letter record: deliveries that failed every attempt, newest first. */
  async deadDeliveries(limit: number): Promise<DeliveryView[]> {
    const rows = await this.dataSource.query<DeliveryRow[]>(
      `SELECT ${deliveryColumns} FROM notifications.deliveries WHERE status = 'dead'
        ORDER BY created_at DESC LIMIT $1`,
      [Math.min(Math.max(limit || 100, 1), 500)],
    );
    return rows.map(toDelivery);
  }

  /**
   * Marks `id` read; an item a digest replaced meanwhile (the client listed it a moment before a
   * job finished) marks its replacement, which shows what it showed and more.
   */
  async markRead(userId: string, id: string): Promise<NotificationEntity> {
    const repository = this.dataSource.getRepository(NotificationEntity);
    const uuid = /^[0-9a-f-]{36}$/i.test(id);
    const found = uuid
      ? ((await repository.findOneBy({ id, userId })) ??
        (await repository
          .createQueryBuilder('n')
          .where(`n.userId = :userId AND n.data->'supersedes' @> jsonb_build_array(:id::text)`, {
            userId,
            id,
          })
          .getOne()))
      : null;
    if (!found) {
      throw ProblemError.notFound(`No notification ${id}.`);
    }
    if (!found.readAt) {
      found.readAt = this.clock.now();
      await repository.save(found);
    }
    return found;
  }
}
