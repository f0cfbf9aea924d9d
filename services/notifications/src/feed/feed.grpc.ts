import { Controller } from '@nestjs/common';
import { notificationsV1 as v1 } from '@fluxnote/contracts';
import { AlsoServedAs } from '@fluxnote/grpc';
import { FeedWaiter } from './feed-waiter';
import { FeedService } from './feed.service';
import { toNotification } from './notification-messages';

/** `FeedService`: a user's feed, marking read, and the live stream. */
@Controller()
@AlsoServedAs(v1.NOTIFICATIONS_SERVICE_NAME)
@v1.FeedServiceControllerMethods()
export class FeedGrpcController implements v1.FeedServiceController {
  constructor(
    private readonly feed: FeedService,
    private readonly waiter: FeedWaiter,
  ) {}

  async listNotifications(request: v1.ListNotificationsRequest): Promise<v1.NotificationPage> {
    const page = await this.feed.list(request.userId, {
      unreadOnly: request.unreadOnly,
      limit: request.limit,
      cursor: request.cursor || undefined,
    });
    const deliveries = await this.feed.deliveriesOf(
      request.userId,
      page.items.map((n) => n.eventId),
    );
    return {
      items: page.items.map((n) => toNotification(n, deliveries)),
      nextCursor: page.nextCursor ?? '',
      unreadCount: page.unreadCount,
    };
  }

  async markRead(request: v1.MarkReadRequest): Promise<v1.Notification> {
    return toNotification(await this.feed.markRead(request.userId, request.notificationId));
  }

  async waitNotifications(request: v1.WaitNotificationsRequest): Promise<v1.NotificationBatch> {
    const batch = await this.waiter.waitAfter(request.userId, request.afterSeq, request.waitMs);
    return { items: batch.items.map((n) => toNotification(n)), lastSeq: batch.lastSeq };
  }
}
