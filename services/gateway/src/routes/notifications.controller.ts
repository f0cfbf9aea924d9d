import {
  Body,
  Controller,
  Get,
  HttpCode,
  Param,
  Post,
  Put,
  Query,
  UseGuards,
} from '@nestjs/common';
import type { notificationsV1 } from '@fluxnote/contracts';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { z } from 'zod';
import { AuthGuard, CurrentCaller } from '../auth/auth.guard';
import type { Caller } from '../auth/token-verifier';
import { ServiceClients } from '../clients/service-clients';
import { validate } from '../http/validate';
import { notificationView, type NotificationView } from './views';

const listQuery = z.object({
  unread: z.enum(['true', 'false']).optional(),
  limit: z.coerce.number().int().min(1).max(100).default(20),
  cursor: z.string().max(500).optional(),
});

const channelSwitches = z.object({ in_app: z.boolean(), email: z.boolean() }).partial().strict();
const preferencesBody = z
  .object({
    jobs: channelSwitches,
    billing: channelSwitches,
    security: channelSwitches,
    support: channelSwitches,
    product: channelSwitches,
  })
  .partial()
  .strict();

type PreferencesView = Record<string, { in_app: boolean; email: boolean; mustDeliver: boolean }>;

function preferencesView(p: notificationsV1.Preferences): PreferencesView {
  return Object.fromEntries(
    p.categories.map((c) => [
      c.category,
      { in_app: c.inApp, email: c.email, mustDeliver: c.mustDeliver },
    ]),
  );
}

@ApiTags('notifications')
@ApiBearerAuth()
@UseGuards(AuthGuard)
@Controller('v1/notifications')
export class NotificationsController {
  constructor(private readonly clients: ServiceClients) {}

  @Get()
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

  @Post(':id/read')
  @HttpCode(200)
  async read(@CurrentCaller() caller: Caller, @Param('id') id: string): Promise<NotificationView> {
    return notificationView(
      await this.clients.notifications.markRead({ userId: caller.id, notificationId: id }),
    );
  }
}
