import { EventEmitter } from 'node:events';
import { Inject, Injectable, Logger, type OnModuleDestroy } from '@nestjs/common';
import { Client } from 'pg';
import { NOTIFICATIONS_CONFIG, type NotificationsConfig } from '../config/notifications.config';
import { FEED_CHANNEL, FeedService } from './feed.service';
import type { NotificationEntity } from './notification.entity';

/**
 * Long-polls for a live stream: answers at once with what came after `afterSeq`,
 * or waits — on one LISTEN connection per process, woken by the NOTIFY each new
 * item sends at commit — until something does or `waitMs` passes.
 */
@Injectable()
export class FeedWaiter implements OnModuleDestroy {
  private readonly logger = new Logger(FeedWaiter.name);
  private readonly wakeups = new EventEmitter().setMaxListeners(0);
  private listener?: Promise<Client>;

  constructor(
    private readonly feed: FeedService,
    @Inject(NOTIFICATIONS_CONFIG) private readonly config: NotificationsConfig,
  ) {}

  async waitAfter(
    userId: string,
    afterSeq: number,
    waitMs: number,
  ): Promise<{ items: NotificationEntity[]; lastSeq: number }> {
    await this.listen();
    const from = afterSeq < 0 ? await this.feed.lastSeq(userId) : afterSeq;
    // Listening before the first read: an item committed in between still wakes this wait.
    let wake!: () => void;
    const woken = new Promise<void>((resolve) => (wake = resolve));
    this.wakeups.on(userId, wake);
    let timer: NodeJS.Timeout | undefined;
    try {
      let items = await this.feed.after(userId, from);
      if (items.length === 0) {
        const timeout = new Promise<void>((resolve) => {
          timer = setTimeout(resolve, Math.min(Math.max(waitMs, 0), 30_000));
        });
        await Promise.race([woken, timeout]);
        items = await this.feed.after(userId, from);
      }
      return { items, lastSeq: items.at(-1)?.seq ?? from };
    } finally {
      clearTimeout(timer);
      this.wakeups.off(userId, wake);
    }
  }

  async onModuleDestroy(): Promise<void> {
    const client = await this.listener?.catch(() => undefined);
    await client?.end().catch(() => undefined);
  }

  private listen(): Promise<Client> {
    this.listener ??= (async () => {
      const client = new Client({
        connectionString: this.config.DATABASE_URL,
        application_name: 'notifications-feed-listener',
      });
      client.on('notification', (message) => {
        if (message.channel === FEED_CHANNEL && message.payload) {
          this.wakeups.emit(message.payload);
        }
      });
      client.on('error', (error) => {
        // Streams keep working by their timeouts; the next call listens again.
        this.logger.warn(`feed listener lost: ${error.message}`);
        this.listener = undefined;
      });
      await client.connect();
      await client.query(`LISTEN ${FEED_CHANNEL}`);
      return client;
    })();
    return this.listener;
  }
}
