import { Controller, Get, HttpCode, Param, Post, Query, UseGuards } from '@nestjs/common';
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

  @Post(':id/read')
  @HttpCode(200)
  async read(@CurrentCaller() caller: Caller, @Param('id') id: string): Promise<NotificationView> {
    return notificationView(
      await this.clients.notifications.markRead({ userId: caller.id, notificationId: id }),
    );
  }
}
