import { Controller } from '@nestjs/common';
import { notificationsV1 } from '@fluxnote/contracts';
import { FeedService } from './feed.service';
import type { NotificationEntity } from './notification.entity';

function toNotification(n: NotificationEntity): notificationsV1.Notification {
  return {
    id: n.id,
    category: n.category,
    title: n.title,
    body: n.body,
    createdAt: n.createdAt.toISOString(),
    readAt: n.readAt?.toISOString(),
    dataJson: JSON.stringify(n.data),
  };
}

@Controller()
@notificationsV1.NotificationsServiceControllerMethods()
export class FeedGrpcController implements notificationsV1.NotificationsServiceController {
  constructor(private readonly feed: FeedService) {}

  async listNotifications(
    request: notificationsV1.ListNotificationsRequest,
  ): Promise<notificationsV1.NotificationPage> {
    const page = await this.feed.list(request.userId, {
      unreadOnly: request.unreadOnly,
      limit: request.limit,
      cursor: request.cursor || undefined,
    });
    return {
      items: page.items.map(toNotification),
      nextCursor: page.nextCursor ?? '',
      unreadCount: page.unreadCount,
    };
  }

  async markRead(request: notificationsV1.MarkReadRequest): Promise<notificationsV1.Notification> {
    return toNotification(await this.feed.markRead(request.userId, request.notificationId));
  }
}
