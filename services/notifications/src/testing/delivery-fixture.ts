import { randomUUID } from 'node:crypto';
import { simpleParser, type ParsedMail } from 'mailparser';
import { SMTPServer } from 'smtp-server';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { DataSource } from 'typeorm';
import { FixedClock } from '@fluxnote/clock';
import {
  jobFailedV1,
  refundDecidedV1,
  userRegisteredV1,
  type EventDefinition,
  type EventPayload,
} from '@fluxnote/contracts';
import { createEnvelope, EventRouter, type EventEnvelope } from '@fluxnote/messaging';
import {
  metricValue,
  openTestServiceDatabase,
  type TestDatabase,
  SuiteValue,
} from '@fluxnote/testing';
import { metricsRegistry } from '@fluxnote/telemetry';
import { deliveryMetricName } from '../delivery/delivery-metrics';
import { notificationsConfigSchema } from '../config/notifications.config';
import { FeedService } from '../feed/feed.service';
import { notificationsDatabase } from '../notifications.database';
import { PreferencesService } from '../preferences/preferences.service';
import { DeliveryWorker } from '../delivery/delivery-worker';
import { Broadcasts } from '../broadcasts/broadcasts';
import { PushDevices } from '../push/push-devices.service';
import { SmtpEmailSender, type EmailSender } from '../delivery/email-sender';
import { JobsReadyDigest } from '../feed/jobs-ready-digest';
import { FarewellMail } from '../delivery/farewell-mail';
import { HttpPushSender } from '../delivery/push-sender';
import { NotificationEventsConsumer } from '../delivery/notification.events';
import {
  AccountsDirectory,
  generateSealingKeyPair,
  SecretOpener,
  SecretSealer,
  type AccountFacts,
} from '@fluxnote/platform';
import { Notifier } from '../delivery/notifier';

export interface Received {
  from: string;
  to: string[];
  raw: string;
}

/** A real SMTP server on 127.0.0.1 that requires a password and can be told to refuse mail. */
async function startSmtp(): Promise<{
  url: string;
  received: Received[];
  refuse: { on: boolean };
  stop: () => Promise<void>;
}> {
  const received: Received[] = [];
  const refuse = { on: false };
  const server = new SMTPServer({
    authOptional: false,
    allowInsecureAuth: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onAuth(auth, _session, callback) {
      if (auth.username === 'mailer' && auth.password === 'secret') {
        callback(null, { user: auth.username });
      } else {
        callback(new Error('Invalid username or password'));
      }
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        if (refuse.on) {
          const error = new Error('Mailbox busy, try later') as Error & { responseCode: number };
          error.responseCode = 451;
          callback(error);
          return;
        }
        received.push({
          from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
          to: session.envelope.rcptTo.map((r) => r.address),
          raw: Buffer.concat(chunks).toString('utf8'),
        });
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.server.address() as AddressInfo).port;
  return {
    url: `smtp://mailer:secret@127.0.0.1:${port}`,
    received,
    refuse,
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

interface PushRequest {
  authorization: string | undefined;
  message: {
    token: string;
    notification: { title: string; body: string };
    data: Record<string, string>;
    android: { collapse_key: string };
  };
}

/**
 * An FCM-style push provider on 127.0.0.1: tokens starting `dead-` are
 * unregistered (404 UNREGISTERED), `busy-` answer 503, anything else is accepted.
 */
async function startPushProvider(): Promise<{
  url: string;
  received: PushRequest[];
  stop: () => Promise<void>;
}> {
  const received: PushRequest[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      if (req.method !== 'POST' || req.url !== '/v1/projects/fluxnote/messages:send') {
        res.writeHead(404).end();
        return;
      }
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as PushRequest;
      const token = body.message.token;
      const json = (status: number, value: unknown) =>
        res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(value));
      if (token.startsWith('dead-')) {
        json(404, {
          error: {
            code: 404,
            status: 'NOT_FOUND',
            message: 'Requested entity was not found.',
            details: [{ errorCode: 'UNREGISTERED' }],
          },
        });
      } else if (token.startsWith('busy-')) {
        json(503, { error: { code: 503, status: 'UNAVAILABLE', message: 'try later' } });
      } else {
        received.push({ ...body, authorization: req.headers.authorization });
        json(200, { name: `projects/fluxnote/messages/${received.length}` });
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1/projects/fluxnote`,
    received,
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

export async function parse(mail: Received): Promise<ParsedMail> {
  return simpleParser(mail.raw);
}

/** What a delivery suite works with once its database and servers are up. */
export interface OpenedDelivery {
  db: TestDatabase;
  dataSource: DataSource;
  smtp: Awaited<ReturnType<typeof startSmtp>>;
  pushProvider: Awaited<ReturnType<typeof startPushProvider>>;
  devices: PushDevices;
  broadcasts: Broadcasts;
  router: EventRouter;
  feed: FeedService;
  preferences: PreferencesService;
  worker: DeliveryWorker;
  sender: EmailSender;
  sealer: SecretSealer;
}

/**
 * Notifications' consumer and delivery worker on their own database (`name`), with a real SMTP
 * server and a push provider on 127.0.0.1. Registers the suite's `beforeAll`, `afterAll` and a
 * `beforeEach` that empties the servers' inboxes; `opened()` gives what they opened. The clock
 * starts on 1 Nov 2026, 12:00 UTC.
 */
export function useDeliveryFixture(name: string) {
  const opened = new SuiteValue<OpenedDelivery>('the delivery fixture');
  const current = (): OpenedDelivery => opened.get();
  const clock = new FixedClock(new Date('2026-11-01T12:00:00Z'));

  /** Accounts as notifications asks it about a user it has not heard of (here: a map). */
  const known = new Map<string, AccountFacts>();
  const accounts = new (class extends AccountsDirectory {
    lookUp(userId: string): Promise<AccountFacts | null> {
      return Promise.resolve(known.get(userId) ?? null);
    }
    restricted(): Promise<[]> {
      return Promise.resolve([]);
    }
  })();

  beforeAll(async () => {
    const { db, dataSource } = await openTestServiceDatabase(name, notificationsDatabase, 5);
    const smtp = await startSmtp();
    const pushProvider = await startPushProvider();
    const keys = await generateSealingKeyPair();
    const config = notificationsConfigSchema.parse({
      DATABASE_URL: db.url,
      SEALING_PRIVATE_KEY: keys.privateKey,
      ACCOUNTS_GRPC_URL: '127.0.0.1:1',
      SMTP_URL: smtp.url,
      DELIVERY_MAX_ATTEMPTS: '3',
      DELIVERY_RETRY_BASE_MS: '1000',
    });
    const feed = new FeedService(dataSource, clock);
    const preferences = new PreferencesService(dataSource, clock);
    const devices = new PushDevices(dataSource, clock);
    const notifier = new Notifier(feed, preferences, clock, accounts);
    const broadcasts = new Broadcasts(dataSource, notifier, clock, config);
    const sender = new SmtpEmailSender(config.SMTP_URL!);
    const sealer = await SecretSealer.fromPublicKey(keys.publicKey);
    const consumer = new NotificationEventsConsumer(
      notifier,
      broadcasts,
      new FarewellMail(sender),
      new JobsReadyDigest(notifier, clock),
      clock,
      await SecretOpener.fromPrivateKeys([keys.privateKey]),
    );
    const router = new EventRouter(consumer.group, dataSource, 'notifications');
    consumer.register(router);
    const worker = new DeliveryWorker(
      dataSource,
      clock,
      sender,
      new HttpPushSender(pushProvider.url, 'push-test-key'),
      config,
    );
    opened.set({
      db,
      dataSource,
      smtp,
      pushProvider,
      devices,
      broadcasts,
      router,
      feed,
      preferences,
      worker,
      sender,
      sealer,
    });
  });

  afterAll(async () => {
    opened.peek()?.sender.close();
    await opened.peek()?.smtp.stop();
    await opened.peek()?.pushProvider.stop();
    await opened.peek()?.dataSource.destroy();
    await opened.peek()?.db.drop();
  });

  beforeEach(() => {
    const open = opened.peek();
    if (open) {
      open.smtp.refuse.on = false;
      open.smtp.received.length = 0;
      open.pushProvider.received.length = 0;
    }
  });

  function envelope<D extends EventDefinition>(
    definition: D,
    data: EventPayload<D>,
    userId: string,
  ): EventEnvelope {
    return createEnvelope({ type: definition.type, source: 'test', subject: userId, data });
  }

  async function newUser(
    brand = 'fluxnote',
    roles = ['user'],
  ): Promise<{ userId: string; email: string }> {
    const userId = randomUUID();
    const email = `user-${userId.slice(0, 8)}@example.com`;
    await current().router.deliver(
      envelope(
        userRegisteredV1,
        { userId, brand, country: 'US', email, plan: 'free', roles },
        userId,
      ),
    );
    return { userId, email };
  }

  function jobFailed(userId: string): EventEnvelope {
    return envelope(
      jobFailedV1,
      {
        jobId: randomUUID(),
        userId,
        model: 'wan-2.6',
        mode: 'text-to-video',
        reason: 'provider_5xx',
        refunded: { videoCredits: 2, imageCredits: 0 },
      },
      userId,
    );
  }

  function refundRejected(userId: string): EventEnvelope {
    return envelope(
      refundDecidedV1,
      {
        refundId: randomUUID(),
        chargeId: randomUUID(),
        userId,
        decision: 'rejected',
        amount: { amount: 0, currency: 'USD' },
        rule: 'fluxnote.pack-not-refundable',
        explanation: 'Credit packs are not refundable.',
        source: 'policy',
      },
      userId,
    );
  }

  async function deliveries(userId: string): Promise<Record<string, unknown>[]> {
    return current().dataSource.query(
      `SELECT channel, category, status, attempts, last_error FROM notifications.deliveries
        WHERE user_id = $1 ORDER BY created_at, id`,
      [userId],
    );
  }

  /** Delivery attempts counted on /metrics, by `channel:outcome`, since `countsSince()` was called. */
  async function countsSince(): Promise<() => Promise<Record<string, number>>> {
    const read = async (): Promise<Record<string, number>> => {
      const counts: Record<string, number> = {};
      for (const channel of ['email', 'push']) {
        for (const outcome of ['sent', 'discarded', 'retrying', 'dead']) {
          counts[`${channel}:${outcome}`] = await metricValue(metricsRegistry, deliveryMetricName, {
            channel,
            outcome,
          });
        }
      }
      return counts;
    };
    const before = await read();
    return async () => {
      const now = await read();
      return Object.fromEntries(
        Object.entries(now)
          .map(([key, value]) => [key, value - before[key]] as const)
          .filter(([, value]) => value !== 0),
      );
    };
  }

  return {
    opened: current,
    clock,
    known,
    envelope,
    newUser,
    jobFailed,
    refundRejected,
    deliveries,
    countsSince,
  };
}
