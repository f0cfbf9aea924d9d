import { Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { DataSource, IsNull, type EntityManager } from 'typeorm';
import { Clock } from '@fluxnote/clock';
import { ProblemError } from '@fluxnote/contracts';
import type { FeedMessage } from './feed-messages';
import { NotificationEntity } from './notification.entity';

/** The in-app feed: written from events, read by its owner only. */
@Injectable()
export class FeedService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly clock: Clock,
  ) {}

  async add(
    manager: EntityManager,
    userId: string,
    eventId: string,
    message: FeedMessage,
    data: Record<string, unknown>,
  ): Promise<void> {
    await manager.query(
      `INSERT INTO notifications.notifications (id, user_id, event_id, category, title, body, data)
       VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (event_id) DO NOTHING`,
      [
        randomUUID(),
        userId,
        eventId,
        message.category,
        message.title,
        message.body,
        JSON.stringify(data),
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
      .orderBy('n.created_at', 'DESC')
      .addOrderBy('n.id', 'DESC')
      .take(size + 1);
    if (options.unreadOnly) {
      query.andWhere('n.read_at IS NULL');
    }
    if (options.cursor) {
      const [createdAt, id] = Buffer.from(options.cursor, 'base64url').toString('utf8').split('|');
      if (!createdAt || !id || Number.isNaN(Date.parse(createdAt))) {
        throw ProblemError.badRequest('The cursor is not one this API returned.', {
          field: 'cursor',
        });
      }
      query.andWhere('(n.created_at, n.id) < (:createdAt, :id)', { createdAt, id });
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
        rows.length > size && last
          ? Buffer.from(`${last.createdAt.toISOString()}|${last.id}`).toString('base64url')
          : null,
      unreadCount,
    };
  }

  async markRead(userId: string, id: string): Promise<NotificationEntity> {
    const repository = this.dataSource.getRepository(NotificationEntity);
    const found = /^[0-9a-f-]{36}$/i.test(id) ? await repository.findOneBy({ id, userId }) : null;
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
