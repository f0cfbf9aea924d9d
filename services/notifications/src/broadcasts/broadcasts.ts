import { Inject, Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { Clock, PeriodicWorker } from '@fluxnote/clock';
import { NOTIFICATIONS_CONFIG, type NotificationsConfig } from '../config/notifications.config';
import { Notifier } from '../delivery/notifier';
import type { Message } from '../messages/templates';

/** Users written per transaction: small enough that a user's own events never wait long behind one. */
const BATCH = 200;

/**
 * One message for many users without holding up anyone else's: the event's
 * handler only records who is waiting (one statement, however many), and this
 * worker writes their notifications in small batches — feed, email and push,
 * queued behind personal messages. Each user's notification is keyed by the
 * broadcast and the user, so a repeated event or part tells no one twice.
 */
@Injectable()
export class Broadcasts extends PeriodicWorker {
  protected readonly intervalMs: number;

  constructor(
    private readonly dataSource: DataSource,
    private readonly notifier: Notifier,
    private readonly clock: Clock,
    @Inject(NOTIFICATIONS_CONFIG) config: NotificationsConfig,
  ) {
    super();
    this.intervalMs = config.DELIVERY_POLL_MS;
  }

  /** Drains, batch after batch, before sleeping. */
  protected async pass(): Promise<void> {
    while ((await this.runOnce()) > 0) {
      // next batch
    }
  }

  /** Records a broadcast and who is to get it, in the caller's transaction. */
  async accept(
    manager: EntityManager,
    broadcastId: string,
    message: Message,
    data: Record<string, unknown>,
    userIds: readonly string[],
  ): Promise<void> {
    await manager.query(
      `INSERT INTO notifications.broadcasts (id, message, data, created_at) VALUES ($1, $2, $3, $4)
       ON CONFLICT (id) DO NOTHING`,
      [broadcastId, JSON.stringify(message), JSON.stringify(data), this.clock.now()],
    );
    await manager.query(
      `INSERT INTO notifications.broadcast_recipients (broadcast_id, user_id)
       SELECT $1, u FROM unnest($2::uuid[]) u ON CONFLICT DO NOTHING`,
      [broadcastId, userIds],
    );
  }

  /** One batch of waiting users notified; returns how many. */
  async runOnce(batch = BATCH): Promise<number> {
    return this.dataSource.transaction(async (manager) => {
      // (a DELETE … RETURNING comes back from TypeORM as [rows, count])
      const [taken] = await manager.query<[{ broadcast_id: string; user_id: string }[], number]>(
        `DELETE FROM notifications.broadcast_recipients r
          USING (SELECT broadcast_id, user_id FROM notifications.broadcast_recipients
                  LIMIT $1 FOR UPDATE SKIP LOCKED) picked
          WHERE r.broadcast_id = picked.broadcast_id AND r.user_id = picked.user_id
          RETURNING r.broadcast_id, r.user_id`,
        [batch],
      );
      const byBroadcast = new Map<string, string[]>();
      for (const row of taken) {
        const users = byBroadcast.get(row.broadcast_id) ?? [];
        users.push(row.user_id);
        byBroadcast.set(row.broadcast_id, users);
      }
      for (const [broadcastId, userIds] of byBroadcast) {
        const [broadcast] = await manager.query<
          { message: Message; data: Record<string, unknown> }[]
        >(`SELECT message, data FROM notifications.broadcasts WHERE id = $1`, [broadcastId]);
        await this.notifier.notifyMany(
          manager,
          userIds.map((userId) => ({ userId, eventId: `${broadcastId}/${userId}` })),
          broadcast.message,
          broadcast.data,
          { priority: 1 },
        );
      }
      return taken.length;
    });
  }
}
