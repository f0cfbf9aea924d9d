import { Inject, Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { Clock, PeriodicWorker } from '@fluxnote/clock';
import { NOTIFICATIONS_CONFIG, type NotificationsConfig } from '../config/notifications.config';
import { SECRET_REMOVED } from '../migrations/1764500000300-secrets-once-sent';
import { EmailSender } from './email-sender';
import { PushSender, type PushPlatform, type PushResult } from './push-sender';
import { countDelivery } from './delivery-metrics';

interface DeliveryRow {
  id: string;
  event_id: string;
  user_id: string;
  channel: 'email' | 'push';
  category: string;
  address: string;
  subject: string;
  text_body: string;
  html_body: string | null;
  sender: string | null;
  link: string | null;
  attempts: number;
  /** Push: the device's platform, or null when the device is no longer registered. */
  platform: PushPlatform | null;
}

const MAX_BACKOFF_MS = 3_600_000;

/**
 * Sends due deliveries. A batch is claimed with `FOR UPDATE SKIP LOCKED` and a
 * lease (so several replicas share the work and no transaction stays open while
 * a mail server answers); a success is recorded as `sent`; a failure is retried
 * with doubling delays, and after the last attempt the delivery is `dead` with
 * its error — the dead-letter record operations read. A sender that dies
 * mid-send leaves the lease to expire and the delivery is tried again; the
 * stable Message-ID lets mail systems drop that copy.
 */
@Injectable()
export class DeliveryWorker extends PeriodicWorker {
  protected readonly intervalMs: number;

  constructor(
    private readonly dataSource: DataSource,
    private readonly clock: Clock,
    private readonly email: EmailSender,
    private readonly push: PushSender,
    @Inject(NOTIFICATIONS_CONFIG) private readonly config: NotificationsConfig,
  ) {
    super();
    this.intervalMs = config.DELIVERY_POLL_MS;
  }

  override onApplicationBootstrap(): void {
    this.logger.log(`email goes to ${this.email.description}; push to ${this.push.description}`);
    super.onApplicationBootstrap();
  }

  override async onModuleDestroy(): Promise<void> {
    await super.onModuleDestroy();
    this.email.close();
  }

  /**
   * Leaving `pending`, a delivery that held a one-time code or link keeps no copy of it: the
   * inbox has it, and the code is only stored hashed in accounts.
   */
  private static readonly forgetSecret = `subject = CASE WHEN holds_secret THEN '${SECRET_REMOVED}' ELSE subject END,
    text_body = CASE WHEN holds_secret THEN '${SECRET_REMOVED}' ELSE text_body END,
    html_body = CASE WHEN holds_secret THEN NULL ELSE html_body END`;

  /** Drains what is due before sleeping. */
  protected async pass(): Promise<void> {
    while ((await this.runOnce()) > 0) {
      // batch after batch
    }
  }

  /** One batch: claims due deliveries, sends them, records each outcome. Returns how many were tried. */
  async runOnce(batch = 20): Promise<number> {
    const now = this.clock.now();
    // Personal messages (priority 0) before broadcasts, then oldest due first.
    const claimed = await this.dataSource.query<DeliveryRow[]>(
      `WITH claimed AS (
         UPDATE notifications.deliveries SET attempts = attempts + 1, next_attempt_at = $2
          WHERE id IN (SELECT id FROM notifications.deliveries
                        WHERE status = 'pending' AND next_attempt_at <= $1
                        ORDER BY priority, next_attempt_at LIMIT $3 FOR UPDATE SKIP LOCKED)
          RETURNING id, event_id, user_id, channel, category, address, subject, text_body, html_body,
                    sender, link, attempts)
       SELECT c.*, d.platform FROM claimed c
         LEFT JOIN notifications.push_devices d ON c.channel = 'push' AND d.token = c.address`,
      [now, new Date(now.getTime() + this.config.DELIVERY_LEASE_MS), batch],
    );
    await Promise.all(claimed.map((row) => this.deliver(row)));
    return claimed.length;
  }

  private async deliver(row: DeliveryRow): Promise<void> {
    try {
      const result = await this.send(row);
      if (result === 'unregistered') {
        // The device is gone: no use retrying, and not a failure operations must look at.
        await this.dataSource.query(
          `UPDATE notifications.deliveries SET status = 'discarded', last_error = $2,
             ${DeliveryWorker.forgetSecret} WHERE id = $1`,
          [row.id, 'the device is no longer registered for push; its token was removed'],
        );
        await this.dataSource.query(`DELETE FROM notifications.push_devices WHERE token = $1`, [
          row.address,
        ]);
        countDelivery(row.channel, 'discarded');
        return;
      }
      await this.dataSource.query(
        `UPDATE notifications.deliveries SET status = 'sent', sent_at = $2, last_error = NULL,
           ${DeliveryWorker.forgetSecret} WHERE id = $1`,
        [row.id, this.clock.now()],
      );
      countDelivery(row.channel, 'sent');
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      const dead = row.attempts >= this.config.DELIVERY_MAX_ATTEMPTS;
      const delay = Math.min(
        this.config.DELIVERY_RETRY_BASE_MS * 2 ** (row.attempts - 1),
        MAX_BACKOFF_MS,
      );
      await this.dataSource.query(
        `UPDATE notifications.deliveries SET status = $2, next_attempt_at = $3, last_error = $4
           ${dead ? `, ${DeliveryWorker.forgetSecret}` : ''} WHERE id = $1`,
        [
          row.id,
          dead ? 'dead' : 'pending',
          new Date(this.clock.now().getTime() + delay),
          message.slice(0, 1000),
        ],
      );
      countDelivery(row.channel, dead ? 'dead' : 'retrying');
      if (dead) {
        this.logger.warn(
          `delivery ${row.id} (${row.channel}) dead after ${row.attempts} attempts: ${message}`,
        );
      }
    }
  }

  private async send(row: DeliveryRow): Promise<PushResult> {
    switch (row.channel) {
      case 'email':
        await this.email.send({
          messageId: `<${row.id}@notifications.fluxnote>`,
          from: row.sender ?? '',
          to: row.address,
          subject: row.subject,
          text: row.text_body,
          html: row.html_body ?? '',
        });
        return 'sent';
      case 'push':
        if (!row.platform) {
          return 'unregistered'; // the user removed the device since this was queued
        }
        return this.push.send({
          id: row.id,
          token: row.address,
          platform: row.platform,
          title: row.subject,
          body: row.text_body,
          link: row.link,
          category: row.category,
        });
    }
  }
}
