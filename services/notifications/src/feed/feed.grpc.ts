import { Controller } from '@nestjs/common';
import { notificationsV1 as v1, ProblemError, requireUuid } from '@fluxnote/contracts';
import { PushDevices, type PushDevice } from '../push/push-devices.service';
import {
  categories,
  channels,
  type Channel,
  type NotificationCategory,
} from '../messages/templates';
import {
  PreferencesService,
  type PreferenceChanges,
  type PreferenceMatrix,
} from '../preferences/preferences.service';
import { FeedWaiter } from './feed-waiter';
import { FeedService, type DeliveryView } from './feed.service';
import type { NotificationEntity } from './notification.entity';

function deliveryOut(d: DeliveryView): v1.Delivery {
  return {
    id: d.id,
    channel: d.channel,
    status: d.status,
    attempts: d.attempts,
    lastError: d.lastError ?? '',
    userId: d.userId,
    category: d.category,
    createdAt: d.createdAt.toISOString(),
    sentAt: d.sentAt?.toISOString() ?? '',
  };
}

function toNotification(n: NotificationEntity, deliveries: DeliveryView[] = []): v1.Notification {
  return {
    id: n.id,
    category: n.category,
    title: n.title,
    body: n.body,
    createdAt: n.createdAt.toISOString(),
    readAt: n.readAt?.toISOString(),
    dataJson: JSON.stringify(n.data),
    seq: n.seq,
    deliveries: deliveries.filter((d) => d.eventId === n.eventId).map(deliveryOut),
  };
}

function preferencesOut(matrix: PreferenceMatrix): v1.Preferences {
  return {
    categories: categories.map((category) => ({
      category,
      inApp: matrix[category].in_app,
      email: matrix[category].email,
      push: matrix[category].push,
      mustDeliver: matrix[category].mustDeliver,
    })),
  };
}

function pushDeviceOut(device: PushDevice): v1.PushDevice {
  return {
    token: device.token,
    platform: device.platform,
    registeredAt: device.registeredAt.toISOString(),
  };
}

function changesIn(changes: v1.PreferenceChange[]): PreferenceChanges {
  const out: PreferenceChanges = {};
  for (const change of changes) {
    if (!categories.includes(change.category as NotificationCategory)) {
      throw ProblemError.badRequest(`Categories are ${categories.join(', ')}.`, {
        field: change.category,
      });
    }
    if (!channels.includes(change.channel as Channel)) {
      throw ProblemError.badRequest(`Channels are ${channels.join(', ')}.`, {
        field: `${change.category}.${change.channel}`,
      });
    }
    const category = change.category as NotificationCategory;
    out[category] = { ...out[category], [change.channel]: change.enabled };
  }
  return out;
}

@Controller()
@v1.NotificationsServiceControllerMethods()
export class FeedGrpcController implements v1.NotificationsServiceController {
  constructor(
    private readonly feed: FeedService,
    private readonly preferences: PreferencesService,
    private readonly waiter: FeedWaiter,
    private readonly devices: PushDevices,
  ) {}

  async registerPushDevice(request: v1.RegisterPushDeviceRequest): Promise<v1.PushDevice> {
    return pushDeviceOut(
      await this.devices.register(
        requireUuid(request.userId, 'userId'),
        request.token,
        request.platform,
      ),
    );
  }

  async unregisterPushDevice(request: v1.PushDeviceRef): Promise<v1.UnregisterPushDeviceResult> {
    await this.devices.unregister(requireUuid(request.userId, 'userId'), request.token);
    return {};
  }

  async listPushDevices(request: v1.UserRef): Promise<v1.PushDeviceList> {
    return {
      devices: (await this.devices.list(requireUuid(request.userId, 'userId'))).map(pushDeviceOut),
    };
  }

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

  async getPreferences(request: v1.UserRef): Promise<v1.Preferences> {
    return preferencesOut(await this.preferences.get(request.userId));
  }

  async updatePreferences(request: v1.UpdatePreferencesRequest): Promise<v1.Preferences> {
    return preferencesOut(
      await this.preferences.update(request.userId, changesIn(request.changes)),
    );
  }

  async listDeadDeliveries(request: v1.ListDeadDeliveriesRequest): Promise<v1.DeliveryList> {
    return { deliveries: (await this.feed.deadDeliveries(request.limit)).map(deliveryOut) };
  }
}
