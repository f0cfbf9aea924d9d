import { Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import type { EntityManager } from 'typeorm';
import { Clock } from '@fluxnote/clock';
import { AccountsDirectory } from '@fluxnote/platform';
import { FeedService } from '../feed/feed.service';
import {
  brandOf,
  feedBody,
  renderEmail,
  renderPush,
  type Brand,
  type Message,
  type RenderedEmail,
  type RenderedPush,
} from '../messages/templates';
import { PreferencesService } from '../preferences/preferences.service';
import { pushDeviceRows } from '../push/push-devices.repository';
import { deliveryRows, type QueuedDelivery } from './deliveries.repository';
import { recipientRows, type Recipient } from './recipients.repository';

/** One person to tell, and the id that makes telling them idempotent. */
export interface NotifyTarget {
  userId: string;
  eventId: string;
}

/**
 * Turns one event into what its people get, inside the caller's transaction: the
 * feed item and one delivery per outside channel and address (each push
 * device), each unique by event, user, channel and address — a redelivered
 * event adds nothing and sends nothing twice. The same set-based path serves
 * one user (an event about them) and a batch of a broadcast.
 */
@Injectable()
export class Notifier {
  constructor(
    private readonly feed: FeedService,
    private readonly preferences: PreferencesService,
    private readonly clock: Clock,
    private readonly accounts: AccountsDirectory,
  ) {}

  /**
   * A new user's first event from another service (a job failed and refunded) can arrive before
   * accounts' registration tells this service where to write: accounts is asked about each such
   * person once, and kept as the registration would keep them. One accounts does not know (a
   * purged account) gets the feed only. If accounts does not answer, the event is retried.
   */
  private async learnMissing(
    manager: EntityManager,
    ids: readonly string[],
    recipients: Map<string, Recipient>,
  ): Promise<void> {
    const missing = ids.filter((id) => !recipients.has(id));
    for (const user of await Promise.all(missing.map((id) => this.accounts.lookUp(id)))) {
      if (!user) {
        continue;
      }
      const learned = { userId: user.id, brand: user.brand, email: user.email || null };
      await recipientRows.learned(manager, { ...learned, roles: user.roles }, this.clock.now());
      recipients.set(user.id, learned);
    }
  }

  async notify(
    manager: EntityManager,
    userId: string,
    eventId: string,
    message: Message,
    data: Record<string, unknown>,
  ): Promise<void> {
    await this.notifyMany(manager, [{ userId, eventId }], message, data);
  }

  /** `priority` 0 for a person's own messages; broadcasts pass 1 and queue behind them. */
  async notifyMany(
    manager: EntityManager,
    targets: readonly NotifyTarget[],
    message: Message,
    data: Record<string, unknown>,
    { priority = 0 }: { priority?: number } = {},
  ): Promise<void> {
    if (targets.length === 0) {
      return;
    }
    const userIds = targets.map((t) => t.userId);
    const off = await this.preferences.channelsOff(manager, userIds, message);
    const wants = (userId: string, channel: Message['channels'][number]): boolean =>
      message.channels.includes(channel) && !off.get(userId)?.has(channel);

    await this.feed.addMany(
      manager,
      targets.filter((t) => wants(t.userId, 'in_app')),
      { category: message.category, title: message.title, body: feedBody(message) },
      data,
    );

    const outside = targets.filter((t) => wants(t.userId, 'email') || wants(t.userId, 'push'));
    if (outside.length === 0) {
      return;
    }
    const ids = outside.map((t) => t.userId);
    const recipients = new Map((await recipientRows.of(manager, ids)).map((r) => [r.userId, r]));
    await this.learnMissing(manager, ids, recipients);
    const devices = message.channels.includes('push')
      ? await pushDeviceRows.tokensOf(manager, ids)
      : new Map<string, string[]>();
    const rendered = new Map<string, { brand: Brand; email: RenderedEmail; push: RenderedPush }>();
    const render = (brandId: string | undefined) => {
      const brand = brandOf(brandId);
      let r = rendered.get(brand.id);
      if (!r) {
        r = { brand, email: renderEmail(message, brand), push: renderPush(message, brand) };
        rendered.set(brand.id, r);
      }
      return r;
    };

    const queued: QueuedDelivery[] = [];
    for (const { userId, eventId } of outside) {
      const recipient = recipients.get(userId);
      const { brand, email, push } = render(recipient?.brand);
      if (wants(userId, 'email') && recipient?.email) {
        queued.push({
          eventId,
          userId,
          channel: 'email',
          address: recipient.email,
          subject: email.subject,
          text: email.text,
          html: email.html,
          sender: brand.from,
          link: null,
        });
      }
      if (wants(userId, 'push')) {
        for (const token of devices.get(userId) ?? []) {
          queued.push({
            eventId,
            userId,
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
    await this.queue(manager, queued, message, priority);
  }

  /** The deliveries in one statement; one already queued for that event, user, channel and address is left alone. */
  private async queue(
    manager: EntityManager,
    rows: QueuedDelivery[],
    message: Message,
    priority: number,
  ): Promise<void> {
    if (rows.length === 0) {
      return;
    }
    await deliveryRows.queue(
      manager,
      rows.map((row) => ({ ...row, id: randomUUID() })),
      {
        category: message.category,
        priority,
        holdsSecret: message.holdsSecret === true,
        at: this.clock.now(),
      },
    );
  }
}
