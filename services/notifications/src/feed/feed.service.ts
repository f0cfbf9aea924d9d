import { Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { DataSource, type EntityManager } from 'typeorm';
import { Clock } from '@fluxnote/clock';
import { ProblemError } from '@fluxnote/contracts';
import type { NotificationCategory } from '../messages/templates';
import type { NotificationEntity } from './notification.entity';
import { feedRows, type DeliveryView } from './feed.repository';

export interface FeedItem {
  category: NotificationCategory;
  title: string;
  body: string;
}

export type { DeliveryView } from './feed.repository';

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
    await feedRows.lockUsers(manager, userIds);
    await feedRows.insertMany(
      manager,
      targets.map((t) => ({ id: randomUUID(), userId: t.userId, eventId: t.eventId })),
      { ...message, data, createdAt: this.clock.now() },
    );
  }

  async list(
    userId: string,
    options: { unreadOnly: boolean; limit: number; cursor?: string },
  ): Promise<{ items: NotificationEntity[]; nextCursor: string | null; unreadCount: number }> {
    const size = Math.min(Math.max(options.limit || 20, 1), 100);
    let before: string | undefined;
    if (options.cursor) {
      before = /^seq:(\d{1,18})$/.exec(
        Buffer.from(options.cursor, 'base64url').toString('utf8'),
      )?.[1];
      if (!before) {
        throw ProblemError.badRequest('The cursor is not one this API returned.', {
          field: 'cursor',
        });
      }
    }
    const rows = await feedRows.newestFirst(this.dataSource, userId, {
      unreadOnly: options.unreadOnly,
      before,
      take: size + 1,
    });
    const items = rows.slice(0, size);
    const last = items[items.length - 1];
    const unreadCount = await feedRows.unreadCount(this.dataSource, userId);
    return {
      items,
      nextCursor:
        rows.length > size && last ? Buffer.from(`seq:${last.seq}`).toString('base64url') : null,
      unreadCount,
    };
  }

  /** The user's items after `afterSeq`, oldest first (a live stream's next batch). */
  async after(userId: string, afterSeq: number, limit = 100): Promise<NotificationEntity[]> {
    return feedRows.after(this.dataSource, userId, afterSeq, limit);
  }

  /** The user's newest sequence number (0 before the first item): where a fresh stream starts. */
  async lastSeq(userId: string): Promise<number> {
    return feedRows.lastSeq(this.dataSource, userId);
  }

  /** How each listed item went out on the other channels, by its event. */
  async deliveriesOf(userId: string, eventIds: string[]): Promise<DeliveryView[]> {
    if (eventIds.length === 0) {
      return [];
    }
    return feedRows.deliveriesOf(this.dataSource, userId, eventIds);
  }

  /** The dead-letter record: deliveries that failed every attempt, newest first. */
  async deadDeliveries(limit: number): Promise<DeliveryView[]> {
    return feedRows.deadDeliveries(this.dataSource, Math.min(Math.max(limit || 100, 1), 500));
  }

  /**
   * Marks `id` read; an item a digest replaced meanwhile (the client listed it a moment before a
   * job finished) marks its replacement, which shows what it showed and more.
   */
  async markRead(userId: string, id: string): Promise<NotificationEntity> {
    const uuid = /^[0-9a-f-]{36}$/i.test(id);
    const found = uuid
      ? ((await feedRows.own(this.dataSource, userId, id)) ??
        (await feedRows.superseding(this.dataSource, userId, id)))
      : null;
    if (!found) {
      throw ProblemError.notFound(`No notification ${id}.`);
    }
    if (!found.readAt) {
      found.readAt = this.clock.now();
      await feedRows.markRead(this.dataSource, found.id, found.readAt);
    }
    return found;
  }
}
