import {
  Body,
  Controller,
  Delete,
  Get,
  Headers,
  HttpCode,
  type OnApplicationShutdown,
  Param,
  Post,
  Put,
  Query,
  Req,
  Res,
  UseGuards,
} from '@nestjs/common';
import type { Request, Response } from 'express';
import { setTimeout as sleep } from 'node:timers/promises';
import { ProblemError, type notificationsV1 } from '@fluxnote/contracts';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { z } from 'zod';
import { AuthGuard, CurrentCaller, OpenToSuspended } from '../auth/auth.guard';
import type { Caller } from '../auth/token-verifier';
import { ServiceClients } from '../clients/service-clients';
import { validate } from '../http/validate';
import { notificationView, type NotificationView } from './views';

const listQuery = z.object({
  unread: z.enum(['true', 'false']).optional(),
  limit: z.coerce.number().int().min(1).max(100).default(20),
  cursor: z.string().max(500).optional(),
});

const channelSwitches = z
  .object({ in_app: z.boolean(), email: z.boolean(), push: z.boolean() })
  .partial()
  .strict();
const deviceBody = z.object({
  token: z.string().min(1).max(4096),
  platform: z.enum(['ios', 'android', 'web']),
});
const preferencesBody = z
  .object({
    jobs: channelSwitches,
    billing: channelSwitches,
    security: channelSwitches,
    support: channelSwitches,
    product: channelSwitches,
    operations: channelSwitches,
  })
  .partial()
  .strict();

type PreferencesView = Record<
  string,
  { in_app: boolean; email: boolean; push: boolean; mustDeliver: boolean }
>;

interface PushDeviceView {
  token: string;
  platform: string;
  registeredAt: string;
}

const pushDeviceView = (d: notificationsV1.PushDevice): PushDeviceView => ({
  token: d.token,
  platform: d.platform,
  registeredAt: d.registeredAt,
});

function preferencesView(p: notificationsV1.Preferences): PreferencesView {
  return Object.fromEntries(
    p.categories.map((c) => [
      c.category,
      { in_app: c.inApp, email: c.email, push: c.push, mustDeliver: c.mustDeliver },
    ]),
  );
}

/** How long one long poll of the stream waits before a keep-alive comment. */
const STREAM_WAIT_MS = 15_000;

@ApiTags('notifications')
@ApiBearerAuth()
@UseGuards(AuthGuard)
@Controller('v1/notifications')
export class NotificationsController implements OnApplicationShutdown {
  /** Open live streams, ended when the gateway stops (an open stream would hold the shutdown). */
  private readonly streams = new Set<Response>();
  private stopping = false;

  constructor(private readonly clients: ServiceClients) {}

  onApplicationShutdown(): void {
    this.stopping = true;
    for (const stream of this.streams) {
      stream.end();
    }
  }

  @Get()
  @OpenToSuspended()
  async list(
    @CurrentCaller() caller: Caller,
    @Query() query: unknown,
  ): Promise<{ items: NotificationView[]; nextCursor: string | null; unreadCount: number }> {
    const { unread, limit, cursor } = validate(listQuery, query);
    const page = await this.clients.notifications.listNotifications({
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
  @Get('stream')
  @OpenToSuspended()
  async stream(
    @CurrentCaller() caller: Caller,
    @Headers('last-event-id') lastEventId: string | undefined,
    @Req() request: Request,
    @Res() response: Response,
  ): Promise<void> {
    let after = -1;
    if (lastEventId !== undefined) {
      if (!/^\d{1,15}$/.test(lastEventId)) {
        throw ProblemError.badRequest('Last-Event-ID is an id this stream sent.', {
          field: 'Last-Event-ID',
        });
      }
      after = Number(lastEventId);
    }
    response.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache, no-transform',
      connection: 'keep-alive',
      'x-accel-buffering': 'no',
    });
    const send = (text: string): void => {
      if (!response.writableEnded) {
        response.write(text);
      }
    };
    send('retry: 3000\n\n');
    let open = true;
    request.on('close', () => (open = false));
    this.streams.add(response);
    while (open && !this.stopping) {
      let batch: notificationsV1.NotificationBatch;
      try {
        batch = await this.clients.notifications.waitNotifications(
          { userId: caller.id, afterSeq: after, waitMs: STREAM_WAIT_MS },
          { deadlineMs: STREAM_WAIT_MS + 5000 },
        );
      } catch {
        if (open) {
          send(': notifications unavailable, trying again\n\n');
          await sleep(1000);
        }
        continue;
      }
      for (const item of batch.items) {
        send(
          `id: ${item.seq}\nevent: notification\ndata: ${JSON.stringify(notificationView(item))}\n\n`,
        );
      }
      after = batch.lastSeq;
      if (batch.items.length === 0) {
        send(': keep-alive\n\n');
      }
    }
    this.streams.delete(response);
    response.end();
  }

  /** Per category, which channels are on; security and billing are must-deliver. */
  @Get('preferences')
  async preferences(@CurrentCaller() caller: Caller): Promise<PreferencesView> {
    return preferencesView(await this.clients.notifications.getPreferences({ userId: caller.id }));
  }

  /** `{jobs: {email: false}}` changes only what it names; turning off security or billing is 422. */
  @Put('preferences')
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
      await this.clients.notifications.updatePreferences({ userId: caller.id, changes }),
    );
  }

  /** Registers this device for push (the app's provider token); registering again refreshes it. */
  @OpenToSuspended()
  @Post('devices')
  @HttpCode(201)
  async registerDevice(
    @CurrentCaller() caller: Caller,
    @Body() body: unknown,
  ): Promise<PushDeviceView> {
    const input = validate(deviceBody, body);
    return pushDeviceView(
      await this.clients.notifications.registerPushDevice({ userId: caller.id, ...input }),
    );
  }

  @OpenToSuspended()
  @Get('devices')
  async devices(@CurrentCaller() caller: Caller): Promise<{ items: PushDeviceView[] }> {
    const list = await this.clients.notifications.listPushDevices({ userId: caller.id });
    return { items: list.devices.map(pushDeviceView) };
  }

  /** On log-out or when the user turns push off on the device. */
  @OpenToSuspended()
  @Delete('devices/:token')
  @HttpCode(204)
  async unregisterDevice(
    @CurrentCaller() caller: Caller,
    @Param('token') token: string,
  ): Promise<void> {
    await this.clients.notifications.unregisterPushDevice({ userId: caller.id, token });
  }

  @Post(':id/read')
  @HttpCode(200)
  async read(@CurrentCaller() caller: Caller, @Param('id') id: string): Promise<NotificationView> {
    return notificationView(
      await this.clients.notifications.markRead({ userId: caller.id, notificationId: id }),
    );
  }
}
