import { Body, Controller, Headers, Param, Query, Req, Res, UseGuards } from '@nestjs/common';
import type { Request, Response } from 'express';
import type { notificationsV1 } from '@fluxnote/contracts';
import { AuthGuard, CurrentCaller } from '../auth/auth.guard';
import type { Caller } from '../auth/token-verifier';
import { ServiceClients } from '../clients/service-clients';
import { validate } from '../http/validate';
import { EventStreams, resumeAfter } from '../http/event-streams';
import { notificationView, type NotificationView } from './views';
import { Endpoint } from '../api/endpoint';
import {
  deviceBody,
  notificationOperations as api,
  notificationsQuery,
  preferencesBody,
  type PreferencesView,
  type PushDeviceView,
} from './notifications.api';

const pushDeviceView = (d: notificationsV1.PushDevice): PushDeviceView => ({
  token: d.token,
  platform: d.platform as PushDeviceView['platform'],
  registeredAt: d.registeredAt,
});

function preferencesView(p: notificationsV1.Preferences): PreferencesView {
  return Object.fromEntries<PreferencesView[keyof PreferencesView]>(
    p.categories.map((c) => [
      c.category,
      { in_app: c.inApp, email: c.email, push: c.push, mustDeliver: c.mustDeliver },
    ]),
  ) as PreferencesView;
}

@UseGuards(AuthGuard)
@Controller()
export class NotificationsController {
  constructor(
    private readonly clients: ServiceClients,
    private readonly streams: EventStreams,
  ) {}

  @Endpoint(api.list)
  async list(
    @CurrentCaller() caller: Caller,
    @Query() query: unknown,
  ): Promise<{ items: NotificationView[]; nextCursor: string | null; unreadCount: number }> {
    const { unread, limit, cursor } = validate(notificationsQuery, query);
    const page = await this.clients.feed.listNotifications({
      userId: caller.id,
      unreadOnly: unread === 'true',
      limit,
      cursor: cursor ?? '',
    });
    return {
      items: page.items.map(notificationView),
      nextCursor: page.nextCursor || null,
      unreadCount: page.unreadCount,
    };
  }

  /**
   * Server-Sent Events of new notifications (`event: notification`, `id:` the item's
   * sequence number). A client that reconnects with `Last-Event-ID` gets exactly what
   * came after that id — nothing lost, nothing twice; without it the stream starts now.
   */
  @Endpoint(api.stream)
  async stream(
    @CurrentCaller() caller: Caller,
    @Headers('last-event-id') lastEventId: string | undefined,
    @Req() request: Request,
    @Res() response: Response,
  ): Promise<void> {
    await this.streams.serve(request, response, resumeAfter(lastEventId), {
      event: 'notification',
      poll: async (afterSeq, waitMs) => {
        const batch = await this.clients.feed.waitNotifications(
          { userId: caller.id, afterSeq, waitMs },
          { deadlineMs: waitMs + 5000 },
        );
        return { items: batch.items, lastSeq: batch.lastSeq };
      },
      render: (item) => ({ id: item.seq, data: notificationView(item) }),
    });
  }

  /** Per category, which channels are on; security and billing are must-deliver. */
  @Endpoint(api.preferences)
  async preferences(@CurrentCaller() caller: Caller): Promise<PreferencesView> {
    return preferencesView(await this.clients.preferences.getPreferences({ userId: caller.id }));
  }

  /** `{jobs: {email: false}}` changes only what it names; turning off security or billing is 422. */
  @Endpoint(api.updatePreferences)
  async updatePreferences(
    @CurrentCaller() caller: Caller,
    @Body() body: unknown,
  ): Promise<PreferencesView> {
    const input = validate(preferencesBody, body);
    const changes = Object.entries(input).flatMap(([category, switches]) =>
      Object.entries(switches ?? {}).map(([channel, enabled]) => ({
        category,
        channel,
        enabled: enabled === true,
      })),
    );
    return preferencesView(
      await this.clients.preferences.updatePreferences({ userId: caller.id, changes }),
    );
  }

  /** Registers this device for push (the app's provider token); registering again refreshes it. */
  @Endpoint(api.registerDevice)
  async registerDevice(
    @CurrentCaller() caller: Caller,
    @Body() body: unknown,
  ): Promise<PushDeviceView> {
    const input = validate(deviceBody, body);
    return pushDeviceView(
      await this.clients.pushDevices.registerPushDevice({ userId: caller.id, ...input }),
    );
  }

  @Endpoint(api.devices)
  async devices(@CurrentCaller() caller: Caller): Promise<{ items: PushDeviceView[] }> {
    const list = await this.clients.pushDevices.listPushDevices({ userId: caller.id });
    return { items: list.devices.map(pushDeviceView) };
  }

  /** On log-out or when the user turns push off on the device. */
  @Endpoint(api.unregisterDevice)
  async unregisterDevice(
    @CurrentCaller() caller: Caller,
    @Param('token') token: string,
  ): Promise<void> {
    await this.clients.pushDevices.unregisterPushDevice({ userId: caller.id, token });
  }

  @Endpoint(api.read)
  async read(@CurrentCaller() caller: Caller, @Param('id') id: string): Promise<NotificationView> {
    return notificationView(
      await this.clients.feed.markRead({ userId: caller.id, notificationId: id }),
    );
  }
}
