import { Inject, Injectable, Logger, type OnModuleDestroy } from '@nestjs/common';
import { NotifyWaiter } from '@fluxnote/persistence';
import { NOTIFICATIONS_CONFIG, type NotificationsConfig } from '../config/notifications.config';
import { FEED_CHANNEL } from './feed.repository';
import { FeedService } from './feed.service';
import type { NotificationEntity } from './notification.entity';

/**
 * Long-polls for a live stream: answers at once with what came after `afterSeq`,
 * or waits — woken by the NOTIFY each new item sends at commit — until something
 * does or `waitMs` passes.
 */
@Injectable()
export class FeedWaiter implements OnModuleDestroy {
  private readonly logger = new Logger(FeedWaiter.name);
  private readonly waiter: NotifyWaiter;

  constructor(
    private readonly feed: FeedService,
    @Inject(NOTIFICATIONS_CONFIG) config: NotificationsConfig,
  ) {
    this.waiter = new NotifyWaiter(config.DATABASE_URL, FEED_CHANNEL, (error) =>
      this.logger.warn(`feed listener lost: ${error.message}`),
    );
  }

  async waitAfter(
    userId: string,
    afterSeq: number,
    waitMs: number,
  ): Promise<{ items: NotificationEntity[]; lastSeq: number }> {
    const from = afterSeq < 0 ? await this.feed.lastSeq(userId) : afterSeq;
    const items = await this.waiter.waitFor(userId, () => this.feed.after(userId, from), waitMs);
    return { items, lastSeq: items.at(-1)?.seq ?? from };
  }

  async onModuleDestroy(): Promise<void> {
    await this.waiter.close();
  }
}
