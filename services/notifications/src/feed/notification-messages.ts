import { notificationsV1 as v1, ProblemError } from '@fluxnote/contracts';
import type { PushDevice } from '../push/push-devices.service';
import {
  categories,
  channels,
  type Channel,
  type NotificationCategory,
} from '../messages/templates';
import type { PreferenceChanges, PreferenceMatrix } from '../preferences/preferences.service';
import type { DeliveryView } from './feed.service';
import type { NotificationEntity } from './notification.entity';

/** Notifications' answers as gRPC messages, and the check of preference changes: one mapper per type. */
export function deliveryOut(d: DeliveryView): v1.Delivery {
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

export function toNotification(
  n: NotificationEntity,
  deliveries: DeliveryView[] = [],
): v1.Notification {
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

export function preferencesOut(matrix: PreferenceMatrix): v1.Preferences {
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

export function pushDeviceOut(device: PushDevice): v1.PushDevice {
  return {
    token: device.token,
    platform: device.platform,
    registeredAt: device.registeredAt.toISOString(),
  };
}

export function changesIn(changes: v1.PreferenceChange[]): PreferenceChanges {
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
