import { Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import type { EntityManager } from 'typeorm';
import { Clock } from '@fluxnote/clock';
import { FeedService } from '../feed/feed.service';
import { brandOf, feedBody, renderEmail, renderPush, type Message } from '../messages/templates';
import { PreferencesService } from '../preferences/preferences.service';
import { PushDevices } from '../push/push-devices.service';

interface QueuedDelivery {
  eventId: string;
  userId: string;
  category: string;
  channel: 'email' | 'push';
  address: string;
  subject: string;
  text: string;
  html: string | null;
  sender: string | null;
  link: string | null;
  /** 0 for a person's own messages; broadcasts queue behind them. */
  priority: number;
}

/**
 * Turns one event into what the user gets, inside the event handler's transaction:
 * the feed item and one delivery per outside channel and address (each push
 * device), each unique by event, user, channel and address — a redelivered
 * event adds nothing and sends nothing twice.
 */
@Injectable()
export class Notifier {
  constructor(
    private readonly feed: FeedService,
    private readonly preferences: PreferencesService,
    private readonly devices: PushDevices,
    private readonly clock: Clock,
  ) {}

  async notify(
    manager: EntityManager,
    userId: string,
    eventId: string,
    message: Message,
    data: Record<string, unknown>,
    { priority = 0 }: { priority?: number } = {},
  ): Promise<void> {
    const wanted = await this.preferences.channelsFor(manager, userId, message);
    if (wanted.has('in_app')) {
      await this.feed.add(
        manager,
        userId,
        eventId,
        { category: message.category, title: message.title, body: feedBody(message) },
        data,
      );
    }
    if (!wanted.has('email') && !wanted.has('push')) {
      return;
    }
    const [recipient] = await manager.query<{ brand: string; email: string | null }[]>(
      `SELECT brand, email FROM notifications.recipients WHERE user_id = $1`,
      [userId],
    );
    const brand = brandOf(recipient?.brand);
    const queue = (
      delivery: Omit<QueuedDelivery, 'eventId' | 'userId' | 'category' | 'priority'>,
    ) =>
      this.queue(manager, { eventId, userId, category: message.category, ...delivery, priority });
    if (wanted.has('email') && recipient?.email) {
      const email = renderEmail(message, brand);
      await queue({
        channel: 'email',
        address: recipient.email,
        subject: email.subject,
        text: email.text,
        html: email.html,
        sender: brand.from,
        link: null,
      });
    }
    if (wanted.has('push')) {
      const push = renderPush(message, brand);
      for (const token of await this.devices.tokensOf(manager, userId)) {
        await queue({
          channel: 'push',
          address: token,
          subject: push.title,
          text: push.body,
          html: null,
          sender: null,
          link: push.link,
        });
      }
    }
  }

  /** One delivery, once: the same event, user, channel and address never queue twice. */
  private async queue(manager: EntityManager, d: QueuedDelivery): Promise<void> {
    await manager.query(
      `INSERT INTO notifications.deliveries (id, event_id, user_id, channel, category, address, subject,
         text_body, html_body, sender, link, priority, status, next_attempt_at, created_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, 'pending', $13, $13)
       ON CONFLICT (event_id, user_id, channel, address) DO NOTHING`,
      [
        randomUUID(),
        d.eventId,
        d.userId,
        d.channel,
        d.category,
        d.address,
        d.subject,
        d.text,
        d.html,
        d.sender,
        d.link,
        d.priority,
        this.clock.now(),
      ],
    );
  }
}
