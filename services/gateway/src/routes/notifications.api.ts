import { z } from 'zod';
import { defineOperation } from '../api/endpoint';
import { list, pageQuery, requestSchema, responseSchema, timestamp } from '../api/schemas';
import { notificationSchema } from './views';

export const notificationsQuery = pageQuery.extend({
  unread: z.enum(['true', 'false']).optional().meta({ description: 'Only the unread ones.' }),
});

const channelSwitches = z
  .object({ in_app: z.boolean(), email: z.boolean(), push: z.boolean() })
  .partial()
  .strict();
const categories = ['jobs', 'billing', 'security', 'support', 'product', 'operations'] as const;

export const deviceBody = requestSchema(
  'PushDeviceRequest',
  z.object({
    token: z.string().min(1).max(4096).meta({ description: "The push provider's device token." }),
    platform: z.enum(['ios', 'android', 'web']),
  }),
);
export const preferencesBody = requestSchema(
  'PreferencesChange',
  z
    .object(
      Object.fromEntries(categories.map((c) => [c, channelSwitches])) as Record<
        (typeof categories)[number],
        typeof channelSwitches
      >,
    )
    .partial()
    .strict()
    .meta({ description: 'Changes only what it names: `{"jobs": {"email": false}}`.' }),
);

const preferencesSchema = responseSchema(
  'Preferences',
  z
    .record(
      z.enum(categories),
      z.object({
        in_app: z.boolean(),
        email: z.boolean(),
        push: z.boolean(),
        mustDeliver: z
          .boolean()
          .meta({ description: 'Security and billing: cannot be turned off.' }),
      }),
    )
    .meta({ description: 'Per category, which channels are on.' }),
);
export type PreferencesView = z.infer<typeof preferencesSchema>;

export const pushDeviceSchema = responseSchema(
  'PushDevice',
  z.object({
    token: z.string(),
    platform: z.enum(['ios', 'android', 'web']),
    registeredAt: timestamp,
  }),
);
export type PushDeviceView = z.infer<typeof pushDeviceSchema>;

export const notificationPageSchema = responseSchema(
  'NotificationPage',
  z.object({
    items: z.array(notificationSchema),
    nextCursor: z.string().nullable(),
    unreadCount: z.number().int(),
  }),
);

export const notificationOperations = {
  list: defineOperation({
    method: 'get',
    path: '/v1/notifications',
    operationId: 'listNotifications',
    tag: 'notifications',
    summary: 'The in-app feed, newest first',
    auth: 'bearer',
    openToSuspended: true,
    query: notificationsQuery,
    responses: {
      200: { description: 'One page, with the unread count.', json: notificationPageSchema },
    },
  }),
  stream: defineOperation({
    method: 'get',
    path: '/v1/notifications/stream',
    operationId: 'streamNotifications',
    tag: 'notifications',
    summary: 'New notifications as Server-Sent Events',
    auth: 'bearer',
    openToSuspended: true,
    headers: ['Last-Event-ID'],
    responses: {
      200: {
        description: 'Each new notification as it comes.',
        events: { event: 'notification', data: notificationSchema },
      },
    },
  }),
  preferences: defineOperation({
    method: 'get',
    path: '/v1/notifications/preferences',
    operationId: 'getNotificationPreferences',
    tag: 'notifications',
    summary: 'Which channels are on, per category',
    auth: 'bearer',
    responses: { 200: { description: 'The preferences.', json: preferencesSchema } },
  }),
  updatePreferences: defineOperation({
    method: 'put',
    path: '/v1/notifications/preferences',
    operationId: 'updateNotificationPreferences',
    tag: 'notifications',
    summary: 'Turn channels on or off',
    description: 'Turning off security or billing is 422 `must-deliver`.',
    auth: 'bearer',
    body: { json: preferencesBody },
    responses: { 200: { description: 'The preferences now.', json: preferencesSchema } },
    problems: ['must-deliver'],
  }),
  registerDevice: defineOperation({
    method: 'post',
    path: '/v1/notifications/devices',
    operationId: 'registerPushDevice',
    tag: 'notifications',
    summary: 'Register this device for push',
    description: 'Registering again refreshes it.',
    auth: 'bearer',
    openToSuspended: true,
    body: { json: deviceBody },
    responses: { 201: { description: 'Registered.', json: pushDeviceSchema } },
  }),
  devices: defineOperation({
    method: 'get',
    path: '/v1/notifications/devices',
    operationId: 'listPushDevices',
    tag: 'notifications',
    summary: "The caller's push devices",
    auth: 'bearer',
    openToSuspended: true,
    responses: { 200: { description: 'The devices.', json: list(pushDeviceSchema) } },
  }),
  unregisterDevice: defineOperation({
    method: 'delete',
    path: '/v1/notifications/devices/{token}',
    operationId: 'unregisterPushDevice',
    tag: 'notifications',
    summary: 'Stop push to a device (log-out, or push turned off on it)',
    auth: 'bearer',
    openToSuspended: true,
    pathParams: { token: "The device's push token." },
    responses: { 204: { description: 'Unregistered.', empty: true } },
  }),
  read: defineOperation({
    method: 'post',
    path: '/v1/notifications/{id}/read',
    operationId: 'markNotificationRead',
    tag: 'notifications',
    summary: 'Mark a notification read',
    description:
      'An item that a newer one replaced meanwhile (finished jobs gather into one item that counts them) marks its replacement read, and answers with it.',
    auth: 'bearer',
    pathParams: { id: 'The notification id.' },
    responses: { 200: { description: 'The notification, now read.', json: notificationSchema } },
  }),
} as const;
