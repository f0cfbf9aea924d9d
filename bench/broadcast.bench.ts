import { randomUUID } from 'node:crypto';
import { Client } from 'pg';
import { FixedClock } from '@fluxnote/clock';
import { openServiceDatabase } from '@fluxnote/persistence';
import { AccountsDirectory, generateSealingKeyPair } from '@fluxnote/platform';
import { Broadcasts } from '../services/notifications/src/broadcasts/broadcasts';
import { notificationsConfigSchema } from '../services/notifications/src/config/notifications.config';
import { DeliveryWorker } from '../services/notifications/src/delivery/delivery-worker';
import { EmailSender } from '../services/notifications/src/delivery/email-sender';
import { Notifier } from '../services/notifications/src/delivery/notifier';
import { PushSender, type PushResult } from '../services/notifications/src/delivery/push-sender';
import { FeedService } from '../services/notifications/src/feed/feed.service';
import type { Message } from '../services/notifications/src/messages/templates';
import { notificationsDatabase } from '../services/notifications/src/notifications.database';
import { PreferencesService } from '../services/notifications/src/preferences/preferences.service';
import { fmt, percentile } from './stats';

const USERS = 10_000;
/** One user in five has the app with push on. */
const PUSH_SHARE = 5;

/** Senders that accept at once: what is measured is the platform's own work per delivery. */
class CountingEmail extends EmailSender {
  readonly description = 'nowhere (bench)';
  sent = 0;
  send(): Promise<void> {
    this.sent += 1;
    return Promise.resolve();
  }
  close(): void {}
}

class CountingPush extends PushSender {
  readonly description = 'nowhere (bench)';
  sent = 0;
  send(): Promise<PushResult> {
    this.sent += 1;
    return Promise.resolve('sent');
  }
}

export interface BroadcastBench {
  /** Users whose feed item and deliveries were written, per second. */
  fanOutPerSecond: number;
  /** Emails and pushes handed to the senders, per second. */
  deliveriesPerSecond: number;
  personalP99: number;
}

/**
 * An incident naming 10,000 users, through the notifications service's own
 * code on its own database: the event's handler records them, the broadcast
 * worker writes feed items and queues email and push in batches, and personal
 * messages keep being written meanwhile (their latency is the "not blocked"
 * number). Then the delivery worker sends the queue to senders that accept at once.
 */
export async function benchBroadcast(
  adminUrl: string,
  log: (line: string) => void,
): Promise<BroadcastBench> {
  const name = `bench_broadcast_${process.pid}`;
  const admin = new Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  const dataSource = await openServiceDatabase({
    url: url.toString(),
    schema: 'notifications',
    entities: notificationsDatabase.entities,
    migrations: notificationsDatabase.migrations,
    poolSize: 10,
  });
  try {
    const clock = new FixedClock(new Date('2026-11-01T12:00:00Z'));
    const config = notificationsConfigSchema.parse({
      DATABASE_URL: url.toString(),
      ACCOUNTS_GRPC_URL: '127.0.0.1:1',
      SEALING_PRIVATE_KEY: (await generateSealingKeyPair()).privateKey,
    });
    // every broadcast recipient is registered here, so accounts is never asked
    const accounts = new (class extends AccountsDirectory {
      lookUp(): Promise<null> {
        return Promise.resolve(null);
      }
      restricted(): Promise<[]> {
        return Promise.resolve([]);
      }
    })();
    const feed = new FeedService(dataSource, clock);
    const notifier = new Notifier(feed, new PreferencesService(dataSource, clock), clock, accounts);
    const broadcasts = new Broadcasts(dataSource, notifier, clock, config);
    const email = new CountingEmail();
    const push = new CountingPush();
    const worker = new DeliveryWorker(dataSource, clock, email, push, config);

    const users = Array.from({ length: USERS }, () => randomUUID());
    await dataSource.query(
      `INSERT INTO notifications.recipients (user_id, brand, email, created_at)
       SELECT u, 'fluxnote', 'user-' || u || '@example.com', now() FROM unnest($1::uuid[]) u`,
      [users],
    );
    await dataSource.query(
      `INSERT INTO notifications.push_devices (token, user_id, platform, registered_at)
       SELECT 'token-' || u, u, 'android', now() FROM unnest($1::uuid[]) u`,
      [users.filter((_, i) => i % PUSH_SHARE === 0)],
    );
    const message: Message = {
      category: 'jobs',
      title: 'Veo 3.1 is having problems',
      paragraphs: ['Jobs are timing out at the provider.', 'Failed jobs are refunded.'],
      action: { label: 'See your jobs', path: '/generations' },
      channels: ['in_app', 'email', 'push'],
    };

    const started = performance.now();
    await dataSource.transaction((m) =>
      broadcasts.accept(m, `incident:${randomUUID()}`, message, {}, users),
    );
    const accepted = performance.now() - started;
    // Personal messages written while the fan-out runs, as the event consumer would.
    const latencies: number[] = [];
    let fanningOut = true;
    const personal = (async () => {
      while (fanningOut) {
        const t = performance.now();
        const someone = users[Math.floor(Math.random() * users.length)];
        await dataSource.transaction((m) =>
          notifier.notify(m, someone, randomUUID(), { ...message, title: 'Your job failed' }, {}),
        );
        latencies.push(performance.now() - t);
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    })();
    while ((await broadcasts.runOnce()) > 0) {
      // drain
    }
    const fanOutMs = performance.now() - started;
    fanningOut = false;
    await personal;
    const [counts] = await dataSource.query<{ items: string; deliveries: string }[]>(
      `SELECT (SELECT count(*) FROM notifications.notifications) AS items,
              (SELECT count(*) FROM notifications.deliveries) AS deliveries`,
    );
    const fanOutPerSecond = (USERS / fanOutMs) * 1000;
    log(
      `  ${fmt(USERS)} users: recorded by the handler in ${fmt(accepted)} ms; feed + queue written in ${fmt(fanOutMs / 1000, 2)} s — ${fmt(fanOutPerSecond)} notifications/s (${fmt(Number(counts.items))} feed items, ${fmt(Number(counts.deliveries))} deliveries)`,
    );
    log(
      `  personal messages written meanwhile: ${latencies.length}, p50 ${fmt(percentile(latencies, 50), 1)} ms, p99 ${fmt(percentile(latencies, 99), 1)} ms`,
    );

    const sendStarted = performance.now();
    while ((await worker.runOnce(100)) > 0) {
      // drain
    }
    const sendMs = performance.now() - sendStarted;
    const deliveriesPerSecond = ((email.sent + push.sent) / sendMs) * 1000;
    log(
      `  delivery worker: ${fmt(email.sent)} emails + ${fmt(push.sent)} pushes handed to senders in ${fmt(sendMs / 1000, 2)} s — ${fmt(deliveriesPerSecond)} deliveries/s (one process)`,
    );
    return { fanOutPerSecond, deliveriesPerSecond, personalP99: percentile(latencies, 99) };
  } finally {
    await dataSource.destroy();
    await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await admin.end();
  }
}
