import { Inject, Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { Clock, PeriodicWorker } from '@fluxnote/clock';
import { NOTIFICATIONS_CONFIG, type NotificationsConfig } from '../config/notifications.config';
import { EmailSender } from './email-sender';
import { PushSender, type PushResult } from './push-sender';
import { countDelivery } from './delivery-metrics';
import { deliveryRows, type DeliveryRow } from './deliveries.repository';
import { pushDeviceRows } from '../push/push-devices.repository';

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
    const claimed = await deliveryRows.claimDue(
      this.dataSource,
      now,
      new Date(now.getTime() + this.config.DELIVERY_LEASE_MS),
      batch,
    );
    await Promise.all(claimed.map((row) => this.deliver(row)));
    return claimed.length;
  }

  private async deliver(row: DeliveryRow): Promise<void> {
    try {
      const result = await this.send(row);
      if (result === 'unregistered') {
        // The device is gone: no use retrying, and not a failure operations must look at.
        await deliveryRows.discarded(
          this.dataSource,
          row.id,
          'the device is no longer registered for push; its token was removed',
        );
        await pushDeviceRows.removeToken(this.dataSource, row.address);
        countDelivery(row.channel, 'discarded');
        return;
      }
      await deliveryRows.sent(this.dataSource, row.id, this.clock.now());
      countDelivery(row.channel, 'sent');
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      const dead = row.attempts >= this.config.DELIVERY_MAX_ATTEMPTS;
      const delay = Math.min(
        this.config.DELIVERY_RETRY_BASE_MS * 2 ** (row.attempts - 1),
        MAX_BACKOFF_MS,
      );
      await deliveryRows.failed(this.dataSource, row.id, {
        dead,
        retryAt: new Date(this.clock.now().getTime() + delay),
        error: message.slice(0, 1000),
      });
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
