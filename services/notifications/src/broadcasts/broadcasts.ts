import { Inject, Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { Clock, PeriodicWorker } from '@fluxnote/clock';
import { NOTIFICATIONS_CONFIG, type NotificationsConfig } from '../config/notifications.config';
import { Notifier } from '../delivery/notifier';
import type { Message } from '../messages/templates';
import { broadcastRows } from './broadcasts.repository';

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
    await broadcastRows.insert(
      manager,
      { id: broadcastId, message, data, at: this.clock.now() },
      userIds,
    );
  }

  /** One batch of waiting users notified; returns how many. */
  async runOnce(batch = BATCH): Promise<number> {
    return this.dataSource.transaction(async (manager) => {
      const byBroadcast = await broadcastRows.take(manager, batch);
      let taken = 0;
      for (const [broadcastId, userIds] of byBroadcast) {
        taken += userIds.length;
        const broadcast = await broadcastRows.message(manager, broadcastId);
        await this.notifier.notifyMany(
          manager,
          userIds.map((userId) => ({ userId, eventId: `${broadcastId}/${userId}` })),
          broadcast.message,
          broadcast.data,
          { priority: 1 },
        );
      }
      return taken;
    });
  }
}
