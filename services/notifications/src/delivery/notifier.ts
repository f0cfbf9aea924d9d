import { Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import type { EntityManager } from 'typeorm';
import { Clock } from '@fluxnote/clock';
import { FeedService } from '../feed/feed.service';
import { brandOf, feedBody, renderEmail, type Message } from '../messages/templates';
import { PreferencesService } from '../preferences/preferences.service';

/**
 * Turns one event into what the user gets, inside the event handler's transaction:
 * the feed item and one delivery per outside channel, each unique by event, user
 * and channel — a redelivered event adds nothing and sends nothing twice.
 */
@Injectable()
export class Notifier {
  constructor(
    private readonly feed: FeedService,
    private readonly preferences: PreferencesService,
    private readonly clock: Clock,
  ) {}

  async notify(
    manager: EntityManager,
    userId: string,
    eventId: string,
    message: Message,
    data: Record<string, unknown>,
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
    if (wanted.has('email')) {
      const [recipient] = await manager.query<{ brand: string; email: string | null }[]>(
        `SELECT brand, email FROM notifications.recipients WHERE user_id = $1`,
        [userId],
      );
      if (recipient?.email) {
        const brand = brandOf(recipient.brand);
        const email = renderEmail(message, brand);
        const now = this.clock.now();
        await manager.query(
          `INSERT INTO notifications.deliveries (id, event_id, user_id, channel, category, address, subject,
             text_body, html_body, sender, status, next_attempt_at, created_at)
           VALUES ($1, $2, $3, 'email', $4, $5, $6, $7, $8, $9, 'pending', $10, $10)
           ON CONFLICT (event_id, user_id, channel) DO NOTHING`,
          [
            randomUUID(),
            eventId,
            userId,
            message.category,
            recipient.email,
            email.subject,
            email.text,
            email.html,
            brand.from,
            now,
          ],
        );
      }
    }
  }
}
