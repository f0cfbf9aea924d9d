import { randomUUID } from 'node:crypto';
import { readdirSync, readFileSync, rmSync } from 'node:fs';
import { simpleParser, type ParsedMail } from 'mailparser';
import { SMTPServer } from 'smtp-server';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { DataSource } from 'typeorm';
import { FixedClock } from '@fluxnote/clock';
import {
  incidentDeclaredV1,
  jobFailedV1,
  jobSucceededV1,
  loginChallengedV2,
  passwordResetRequestedV2,
  ProblemError,
  refundDecidedV1,
  deletionCompletedV1,
  operationsAlertV1,
  ticketEscalatedV1,
  userRegisteredV1,
  userStatusChangedV1,
  type EventDefinition,
  type EventPayload,
} from '@fluxnote/contracts';
import { createEnvelope, EventRouter, type EventEnvelope } from '@fluxnote/messaging';
import {
  metricValue,
  openTestServiceDatabase,
  makeTempDir,
  type TestDatabase,
} from '@fluxnote/testing';
import { metricsRegistry } from '@fluxnote/telemetry';
import { deliveryMetricName } from './delivery-metrics';
import { notificationsConfigSchema } from '../config/notifications.config';
import { FeedService } from '../feed/feed.service';
import { notificationsDatabase } from '../notifications.database';
import { PreferencesService } from '../preferences/preferences.service';
import { DeliveryWorker } from './delivery-worker';
import { Broadcasts } from '../broadcasts/broadcasts';
import { PushDevices } from '../push/push-devices.service';
import { FileEmailSender, SmtpEmailSender, type EmailSender } from './email-sender';
import { JobsReadyDigest } from '../feed/jobs-ready-digest';
import { FarewellMail } from './farewell-mail';
import { HttpPushSender, LogPushSender } from './push-sender';
import { NotificationEventsConsumer } from './notification.events';
import {
  AccountsDirectory,
  generateSealingKeyPair,
  SealedSecretRefused,
  SecretOpener,
  SecretSealer,
  type AccountFacts,
} from '@fluxnote/platform';
import { SECRET_REMOVED } from '../migrations/1764500000300-secrets-once-sent';
import { Notifier } from './notifier';

interface Received {
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

async function parse(mail: Received): Promise<ParsedMail> {
  return simpleParser(mail.raw);
}

describe('notification delivery (Postgres, real SMTP)', () => {
  let db: TestDatabase;
  let dataSource: DataSource;
  let smtp: Awaited<ReturnType<typeof startSmtp>>;
  let pushProvider: Awaited<ReturnType<typeof startPushProvider>>;
  let devices: PushDevices;
  let broadcasts: Broadcasts;
  let router: EventRouter;
  let feed: FeedService;
  let preferences: PreferencesService;
  let worker: DeliveryWorker;
  let sender: EmailSender;
  let sealer: SecretSealer;
  const clock = new FixedClock(new Date('2026-11-01T12:00:00Z'));

  beforeAll(async () => {
    ({ db, dataSource } = await openTestServiceDatabase(
      'notifications_delivery',
      notificationsDatabase,
      5,
    ));
    smtp = await startSmtp();
    pushProvider = await startPushProvider();
    const keys = await generateSealingKeyPair();
    const config = notificationsConfigSchema.parse({
      DATABASE_URL: db.url,
      SEALING_PRIVATE_KEY: keys.privateKey,
      ACCOUNTS_GRPC_URL: '127.0.0.1:1',
      SMTP_URL: smtp.url,
      DELIVERY_MAX_ATTEMPTS: '3',
      DELIVERY_RETRY_BASE_MS: '1000',
    });
    feed = new FeedService(dataSource, clock);
    preferences = new PreferencesService(dataSource, clock);
    devices = new PushDevices(dataSource, clock);
    const notifier = new Notifier(feed, preferences, clock, accounts);
    broadcasts = new Broadcasts(dataSource, notifier, clock, config);
    sender = new SmtpEmailSender(config.SMTP_URL!);
    sealer = await SecretSealer.fromPublicKey(keys.publicKey);
    const consumer = new NotificationEventsConsumer(
      notifier,
      broadcasts,
      new FarewellMail(sender),
      new JobsReadyDigest(notifier, clock),
      clock,
      await SecretOpener.fromPrivateKeys([keys.privateKey]),
    );
    router = new EventRouter(consumer.group, dataSource, 'notifications');
    consumer.register(router);
    worker = new DeliveryWorker(
      dataSource,
      clock,
      sender,
      new HttpPushSender(pushProvider.url, 'push-test-key'),
      config,
    );
  });

  afterAll(async () => {
    sender?.close();
    await smtp?.stop();
    await pushProvider?.stop();
    await dataSource?.destroy();
    await db?.drop();
  });

  beforeEach(() => {
    smtp.refuse.on = false;
    smtp.received.length = 0;
    pushProvider.received.length = 0;
  });

  function envelope<D extends EventDefinition>(
    definition: D,
    data: EventPayload<D>,
    userId: string,
  ): EventEnvelope {
    return createEnvelope({ type: definition.type, source: 'test', subject: userId, data });
  }

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

  async function newUser(
    brand = 'fluxnote',
    roles = ['user'],
  ): Promise<{ userId: string; email: string }> {
    const userId = randomUUID();
    const email = `user-${userId.slice(0, 8)}@example.com`;
    await router.deliver(
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
    return dataSource.query(
      `SELECT channel, category, status, attempts, last_error FROM notifications.deliveries
        WHERE user_id = $1 ORDER BY created_at, id`,
      [userId],
    );
  }

  it('sends a failed job to the feed and by SMTP, once, however often the event arrives', async () => {
    const { userId, email } = await newUser();
    const failed = jobFailed(userId);
    await router.deliver(failed);
    await router.deliver(failed);
    await router.deliverBatch([failed, failed]);

    const page = await feed.list(userId, { unreadOnly: false, limit: 10 });
    expect(page.items).toHaveLength(1);
    expect(await deliveries(userId)).toEqual([
      expect.objectContaining({ channel: 'email', status: 'pending', attempts: 0 }),
    ]);

    expect(await worker.runOnce()).toBe(1);
    expect(await worker.runOnce()).toBe(0);
    expect(smtp.received).toHaveLength(1);
    const mail = smtp.received[0];
    expect(mail.to).toEqual([email]);
    expect(mail.from).toBe('notifications@fluxnote.dev');
    const parsed = await parse(mail);
    expect(parsed.subject).toBe('FluxNote: Your generation failed — credits refunded');
    expect(parsed.text).toContain('We gave back 2 video credits');
    expect(parsed.text).toMatch(/Open the job: https:\/\/app\.fluxnote\.dev\/generations\//);
    expect(parsed.html).toContain('<h1 style="font-size:20px">Your generation failed');
    expect(parsed.messageId).toMatch(/^<[0-9a-f-]{36}@notifications\.fluxnote>$/);
    expect(await deliveries(userId)).toEqual([
      expect.objectContaining({ status: 'sent', attempts: 1 }),
    ]);
  });

  it('opens a sealed log-in code only for its user and use, emails it, and keeps no copy once sent', async () => {
    const { userId, email } = await newUser();
    const other = await newUser();
    const challenge = (sealedCode: string, to = userId) =>
      envelope(
        loginChallengedV2,
        {
          userId: to,
          challengeId: randomUUID(),
          sealedCode,
          expiresAt: '2026-11-01T12:10:00.000Z',
          country: 'IN',
          device: 'Firefox on Linux',
        },
        to,
      );
    // another user's code, or a reset token passed off as a code, does not open: the event is retried
    const othersCode = await sealer.seal('111111', { userId: other.userId, purpose: 'login_code' });
    await expect(router.deliver(challenge(othersCode))).rejects.toThrow(SealedSecretRefused);
    const aToken = await sealer.seal('tok', { userId, purpose: 'reset_token' });
    await expect(router.deliver(challenge(aToken))).rejects.toThrow(SealedSecretRefused);
    expect(await deliveries(userId)).toEqual([]);

    await router.deliver(challenge(await sealer.seal('482913', { userId, purpose: 'login_code' })));
    const link = await sealer.seal('reset-me-once', { userId, purpose: 'reset_token' });
    await router.deliver(
      envelope(
        passwordResetRequestedV2,
        { userId, sealedResetToken: link, expiresAt: '2026-11-01T13:00:00.000Z' },
        userId,
      ),
    );
    expect(await worker.runOnce()).toBe(2);
    const mails = await Promise.all(smtp.received.map(parse));
    expect(mails.map((m) => m.subject).sort()).toEqual([
      'FluxNote: Choose a new password',
      'FluxNote: Your log-in code: 482913',
    ]);
    expect(mails.every((m) => m.to && JSON.stringify(m.to).includes(email))).toBe(true);
    expect(mails.find((m) => /password/.test(m.subject ?? ''))?.text).toContain(
      '/reset-password?token=reset-me-once',
    );
    // never in the feed, and gone from the delivery rows once sent
    expect((await feed.list(userId, { unreadOnly: false, limit: 10 })).items).toEqual([]);
    const kept = await dataSource.query<{ subject: string; text_body: string; html_body: null }[]>(
      `SELECT subject, text_body, html_body FROM notifications.deliveries WHERE user_id = $1`,
      [userId],
    );
    expect(kept).toEqual([
      { subject: SECRET_REMOVED, text_body: SECRET_REMOVED, html_body: null },
      { subject: SECRET_REMOVED, text_body: SECRET_REMOVED, html_body: null },
    ]);
  });

  it('emails a new user whose first event arrives before their registration, as accounts says', async () => {
    const userId = randomUUID();
    known.set(userId, {
      id: userId,
      email: 'early@example.com',
      brand: 'fluxnote',
      country: 'US',
      roles: ['user'],
      status: 'active',
    });
    await router.deliver(jobFailed(userId));
    expect(await deliveries(userId)).toEqual([
      expect.objectContaining({ channel: 'email', status: 'pending' }),
    ]);
    const [row] = await dataSource.query<{ address: string }[]>(
      `SELECT address FROM notifications.deliveries WHERE user_id = $1`,
      [userId],
    );
    expect(row?.address).toBe('early@example.com');
    expect(await worker.runOnce()).toBe(1);
    expect(smtp.received.splice(0).map((mail) => mail.to)).toEqual([['early@example.com']]);
    // a person accounts does not know (purged) gets no email, and the event is handled
    const gone = randomUUID();
    await router.deliver(jobFailed(gone));
    expect(await deliveries(gone)).toEqual([]);
  });

  it('keeps finished jobs in the feed only, and honours opt-outs except for must-deliver billing', async () => {
    const { userId } = await newUser('flux-kontext');
    await router.deliver(
      envelope(
        jobSucceededV1,
        { jobId: randomUUID(), userId, model: 'm', mode: 'image', outputUrl: 'x' },
        userId,
      ),
    );
    expect(await deliveries(userId)).toEqual([]);

    await preferences.update(userId, { jobs: { email: false } });
    await router.deliver(jobFailed(userId));
    expect(await deliveries(userId)).toEqual([]);
    await preferences.update(userId, { jobs: { in_app: false } });
    await router.deliver(jobFailed(userId));
    expect((await feed.list(userId, { unreadOnly: false, limit: 10 })).items).toHaveLength(2);

    await expect(preferences.update(userId, { billing: { email: false } })).rejects.toThrow(
      ProblemError,
    );
    await expect(preferences.update(userId, { security: { in_app: false } })).rejects.toThrow(
      /must-deliver/,
    );
    const matrix = await preferences.get(userId);
    expect(matrix.jobs).toEqual({ in_app: false, email: false, push: true, mustDeliver: false });
    expect(matrix.billing).toEqual({ in_app: true, email: true, push: true, mustDeliver: true });

    await router.deliver(refundRejected(userId));
    expect(await deliveries(userId)).toEqual([
      expect.objectContaining({ channel: 'email', category: 'billing' }),
    ]);
    await worker.runOnce();
    expect(smtp.received[0]?.raw).toMatch(
      /^Subject: Flux Kontext: Your refund request was declined/m,
    );
  });

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

  it('retries a refused email with growing delays, then dead-letters it with the error', async () => {
    const { userId } = await newUser();
    const counted = await countsSince();
    await router.deliver(jobFailed(userId));
    smtp.refuse.on = true;

    expect(await worker.runOnce()).toBe(1);
    expect(await deliveries(userId)).toEqual([
      expect.objectContaining({
        status: 'pending',
        attempts: 1,
        last_error: expect.stringMatching(/451/),
      }),
    ]);
    expect(await worker.runOnce()).toBe(0); // not due for a second yet
    clock.advance(1000);
    expect(await worker.runOnce()).toBe(1);
    clock.advance(1000);
    expect(await worker.runOnce()).toBe(0); // the second delay is two seconds
    clock.advance(1000);
    expect(await worker.runOnce()).toBe(1);
    expect(await deliveries(userId)).toEqual([
      expect.objectContaining({ status: 'dead', attempts: 3 }),
    ]);
    clock.advance(3_600_000);
    expect(await worker.runOnce()).toBe(0);
    const dead = await feed.deadDeliveries(10);
    expect(dead.find((d) => d.userId === userId)).toMatchObject({
      channel: 'email',
      status: 'dead',
      lastError: expect.stringMatching(/Mailbox busy/),
    });

    // The next message goes out once the server takes mail again.
    smtp.refuse.on = false;
    await router.deliver(jobFailed(userId));
    expect(await worker.runOnce()).toBe(1);
    expect(smtp.received).toHaveLength(1);
    expect(await counted()).toEqual({ 'email:retrying': 2, 'email:dead': 1, 'email:sent': 1 });
  });

  it('pushes to every registered device once, prunes a token the provider calls dead, and retries a busy provider', async () => {
    const { userId } = await newUser();
    await devices.register(userId, 'phone-token-1', 'ios');
    await devices.register(userId, 'dead-tablet-token', 'android');
    await devices.register(userId, 'busy-web-token', 'web');
    const failed = jobFailed(userId);
    await router.deliver(failed);
    await router.deliver(failed);
    expect(await deliveries(userId)).toHaveLength(4); // email + three devices, once

    const counted = await countsSince();
    await worker.runOnce();
    expect(await counted()).toEqual({
      'email:sent': 1,
      'push:sent': 1,
      'push:discarded': 1,
      'push:retrying': 1,
    });
    expect(pushProvider.received).toHaveLength(1);
    const push = pushProvider.received[0];
    expect(push.authorization).toBe('Bearer push-test-key');
    expect(push.message).toMatchObject({
      token: 'phone-token-1',
      notification: {
        title: 'Your generation failed — credits refunded',
        body: expect.stringContaining('failed because'),
      },
      data: {
        category: 'jobs',
        link: expect.stringMatching(/^https:\/\/app\.fluxnote\.dev\/generations\//),
      },
    });
    const rows = await dataSource.query<{ address: string; status: string; last_error: string }[]>(
      `SELECT address, status, last_error FROM notifications.deliveries
        WHERE user_id = $1 AND channel = 'push' ORDER BY address`,
      [userId],
    );
    expect(rows).toEqual([
      expect.objectContaining({
        address: 'busy-web-token',
        status: 'pending',
        last_error: expect.stringMatching(/503/),
      }),
      expect.objectContaining({ address: 'dead-tablet-token', status: 'discarded' }),
      expect.objectContaining({ address: 'phone-token-1', status: 'sent' }),
    ]);
    expect((await devices.list(userId)).map((d) => d.token).sort()).toEqual([
      'busy-web-token',
      'phone-token-1',
    ]);
    // the dead device gets nothing more, and the discarded push is not a dead letter
    await router.deliver(jobFailed(userId));
    const pushes = await dataSource.query<{ address: string }[]>(
      `SELECT DISTINCT address FROM notifications.deliveries WHERE user_id = $1 AND channel = 'push'`,
      [userId],
    );
    expect(pushes).toHaveLength(3);
    expect((await feed.deadDeliveries(100)).some((d) => d.userId === userId)).toBe(false);
  });

  it('turns push off per category, except for must-deliver security messages', async () => {
    const { userId } = await newUser();
    await devices.register(userId, 'phone-token-2', 'android');
    await preferences.update(userId, { jobs: { push: false } });
    await router.deliver(jobFailed(userId));
    await router.deliver(
      envelope(
        userStatusChangedV1,
        {
          userId,
          status: 'frozen',
          previousStatus: 'active',
          cause: 'security_review',
          reason: 'A security ticket asked us to freeze it.',
          at: clock.now().toISOString(),
        },
        userId,
      ),
    );
    await worker.runOnce();
    const toThisPhone = pushProvider.received.filter((p) => p.message.token === 'phone-token-2');
    expect(toThisPhone.map((p) => p.message.notification.title)).toEqual([
      'Your account is frozen for a security review',
    ]);
    await expect(preferences.update(userId, { security: { push: false } })).rejects.toThrow(
      /must-deliver/,
    );
  });

  it('registers devices for their owner only: a token moves to whoever registers it, and only the owner removes it', async () => {
    const a = await newUser();
    const b = await newUser();
    await devices.register(a.userId, 'shared-phone', 'ios');
    await expect(devices.register(a.userId, 'has spaces', 'ios')).rejects.toThrow(/token/);
    await expect(devices.register(a.userId, 'ok-token', 'blackberry')).rejects.toThrow(/platform/);
    await devices.register(b.userId, 'shared-phone', 'ios'); // b logged in on that phone
    expect(await devices.list(a.userId)).toEqual([]);
    await expect(devices.unregister(a.userId, 'shared-phone')).rejects.toThrow(/No such device/);
    await devices.unregister(b.userId, 'shared-phone');
    expect(await devices.list(b.userId)).toEqual([]);
    // embedded mode: no provider, the push is logged and counts as sent
    await expect(
      new LogPushSender().send({
        id: randomUUID(),
        token: 'abcdef123456',
        platform: 'ios',
        title: 't',
        body: 'b',
        link: null,
        category: 'jobs',
      }),
    ).resolves.toBe('sent');
  });

  it('tells each user an incident names once — feed, email, push — in batches queued behind personal messages', async () => {
    const named = [await newUser(), await newUser(), await newUser()];
    await devices.register(named[0].userId, 'incident-phone', 'android');
    const bystander = await newUser();
    const incidentId = randomUUID();
    const part = (userIds: string[], n: number) =>
      envelope(
        incidentDeclaredV1,
        {
          incidentId,
          model: 'veo-3.1',
          modelName: 'Veo 3.1',
          message: 'Veo 3.1 jobs are timing out at the provider.',
          eta: '2026-11-01T15:00:00Z',
          alternative: 'kling-3.0',
          declaredAt: clock.now().toISOString(),
          userIds,
          part: n,
          parts: 2,
        },
        incidentId,
      );
    const first = part([named[0].userId, named[1].userId], 1);
    await router.deliver(first);
    await router.deliver(first); // redelivered
    await router.deliver(part([named[2].userId, named[0].userId], 2)); // overlaps the first part
    // the handler only recorded who waits; a personal message meanwhile goes first
    expect((await feed.list(named[0].userId, { unreadOnly: false, limit: 10 })).items).toEqual([]);
    await router.deliver(jobFailed(bystander.userId));

    expect(await broadcasts.runOnce(2)).toBe(2);
    expect(await broadcasts.runOnce(2)).toBe(1);
    expect(await broadcasts.runOnce(2)).toBe(0);
    await router.deliver(first); // a late copy after the fan-out: recorded again, told no one twice
    await broadcasts.runOnce();

    for (const { userId } of named) {
      const items = (await feed.list(userId, { unreadOnly: false, limit: 10 })).items;
      expect(items.map((n) => n.title)).toEqual(['Veo 3.1 is having problems']);
      expect(items[0].body).toContain('We expect it to be fixed by Sun, 01 Nov 2026 15:00:00 UTC.');
      expect(items[0].body).toContain('Meanwhile you can use kling-3.0');
    }
    expect(
      (await feed.list(bystander.userId, { unreadOnly: false, limit: 10 })).items,
    ).toHaveLength(1);
    const queued = await dataSource.query<{ user_id: string; channel: string; priority: number }[]>(
      `SELECT user_id, channel, priority FROM notifications.deliveries WHERE user_id = ANY($1)`,
      [[...named, bystander].map((u) => u.userId)],
    );
    expect(queued).toHaveLength(5); // three incident emails, one incident push, one personal email
    expect(queued.filter((d) => d.priority === 1)).toHaveLength(4);

    // the personal email is sent first, though it was queued last
    expect(await worker.runOnce(1)).toBe(1);
    expect(smtp.received[0]?.to).toEqual([bystander.email]);
    await worker.runOnce();
    expect(smtp.received.map((m) => m.to[0]).sort()).toEqual(
      [bystander.email, ...named.map((u) => u.email)].sort(),
    );
    expect(pushProvider.received.map((p) => p.message.token)).toEqual(['incident-phone']);
  });

  it('sends operations alerts to every admin, whatever their preferences, and to no one else', async () => {
    const admins = [
      await newUser('fluxnote', ['user', 'admin']),
      await newUser('fluxnote', ['admin']),
    ];
    const user = await newUser();
    await expect(
      preferences.update(admins[0].userId, { operations: { email: false } }),
    ).rejects.toThrow(/must-deliver/);
    const alert = envelope(
      operationsAlertV1,
      {
        kind: 'purge-deadline-near',
        severity: 'critical',
        summary: 'An account purge is 12 hours from its 72-hour deadline',
        details: { deletionId: 'd-1', missing: ['support'] },
      },
      'd-1',
    );
    await router.deliver(alert);
    await router.deliver(alert);
    for (const admin of admins) {
      const items = (await feed.list(admin.userId, { unreadOnly: false, limit: 10 })).items;
      expect(items.map((n) => n.title)).toEqual([
        'Critical: An account purge is 12 hours from its 72-hour deadline',
      ]);
      expect(items[0].body).toContain('missing: ["support"]');
    }
    expect((await feed.list(user.userId, { unreadOnly: false, limit: 10 })).items).toEqual([]);
    await worker.runOnce();
    expect(smtp.received.map((m) => m.to[0]).sort()).toEqual(admins.map((a) => a.email).sort());
  });

  it('tells the holder of a ticket near its target (else the seniors), and seniors and admins of a breach', async () => {
    const holder = await newUser('fluxnote', ['user', 'agent']);
    const otherAgent = await newUser('fluxnote', ['agent']);
    const senior = await newUser('fluxnote', ['senior_agent']);
    const admin = await newUser('fluxnote', ['admin']);
    const customer = await newUser();
    const escalation = (level: 'near' | 'breached', claimedBy: string | null) =>
      envelope(
        ticketEscalatedV1,
        {
          ticketId: randomUUID(),
          level,
          category: 'bug',
          priorityClass: 'max_priority',
          plan: 'max',
          channel: 'chat',
          dueAt: '2026-11-23T15:05:00.000Z',
          claimedBy,
          forSeniors: false,
        },
        randomUUID(),
      );
    const titles = async (userId: string) =>
      (await feed.list(userId, { unreadOnly: false, limit: 10 })).items.map((n) => n.title);

    const near = escalation('near', holder.userId);
    await router.deliver(near);
    await router.deliver(near);
    expect(await titles(holder.userId)).toEqual([
      'Warning: A max_priority ticket is near its first-response target',
    ]);
    expect(await titles(senior.userId)).toEqual([]);
    // the email links to the ticket in the agent desk
    const [mail] = await dataSource.query<{ text_body: string }[]>(
      `SELECT text_body FROM notifications.deliveries WHERE user_id = $1 AND channel = 'email'`,
      [holder.userId],
    );
    expect(mail.text_body).toMatch(/Open the ticket: \S+\/agent\/tickets\/[0-9a-f-]{36}/);
    await router.deliver(escalation('near', null));
    expect(await titles(senior.userId)).toHaveLength(1);
    expect(await titles(otherAgent.userId)).toEqual([]);

    await router.deliver(escalation('breached', holder.userId));
    const breach = 'Critical: A max_priority ticket is past its first-response target';
    for (const staff of [holder, senior, admin]) {
      expect((await titles(staff.userId))[0]).toBe(breach);
    }
    expect(await titles(otherAgent.userId)).toEqual([]);
    expect(await titles(customer.userId)).toEqual([]);
  });

  it('sends the last email of a deleted account straight from the event, storing nothing about it', async () => {
    const deletionId = randomUUID();
    const done = envelope(
      deletionCompletedV1,
      {
        deletionId,
        email: 'gone@example.com',
        brand: 'flux-kontext',
        completedAt: clock.now().toISOString(),
      },
      deletionId,
    );
    smtp.refuse.on = true;
    await expect(router.deliver(done)).rejects.toThrow(/451/); // the bus retries it
    smtp.refuse.on = false;
    await router.deliver(done);
    expect(smtp.received.map((m) => m.to)).toEqual([['gone@example.com']]);
    const parsed = await parse(smtp.received[0]);
    expect(parsed.subject).toBe('Flux Kontext: Your account is deleted');
    expect(parsed.messageId).toBe(`<deletion-${deletionId}@notifications.fluxnote>`);
    const kept = await dataSource.query<unknown[]>(
      `SELECT 1 FROM notifications.deliveries WHERE address = 'gone@example.com'
       UNION ALL SELECT 1 FROM notifications.notifications WHERE body LIKE '%gone@example.com%'`,
    );
    expect(kept).toEqual([]);
  });

  it('gathers finished jobs into one unread item that counts them; once read, the next starts anew', async () => {
    const { userId } = await newUser();
    const finished = () =>
      envelope(
        jobSucceededV1,
        { jobId: randomUUID(), userId, model: 'wan-2.6', mode: 'text-to-video', outputUrl: 'x' },
        userId,
      );
    const events = [finished(), finished(), finished()];
    for (const e of events) {
      await router.deliver(e);
    }
    await router.deliver(events[1]); // redelivered: the inbox drops it
    const page = await feed.list(userId, { unreadOnly: false, limit: 10 });
    expect(page.items.map((n) => n.title)).toEqual(['3 generations are ready']);
    expect(page.items[0].data).toMatchObject({
      digest: 'jobs-ready',
      count: 3,
      jobIds: events.map((e) => (e.data as { jobId: string }).jobId),
      replaces: expect.any(String),
    });
    expect(page.unreadCount).toBe(1);

    // A client marks read the item it listed just before a fourth job replaced it: the
    // replacement is read.
    await router.deliver(finished());
    const replaced = await feed.markRead(userId, page.items[0].id);
    expect(replaced.title).toBe('4 generations are ready');
    expect((await feed.list(userId, { unreadOnly: true, limit: 10 })).unreadCount).toBe(0);
    await router.deliver(finished());
    const after = await feed.list(userId, { unreadOnly: false, limit: 10 });
    expect(after.items.map((n) => n.title)).toEqual([
      'Your generation is ready',
      '4 generations are ready',
    ]);
  });

  it('writes the same MIME message to an .eml file in embedded mode', async () => {
    const dir = makeTempDir('mail');
    try {
      const files = new FileEmailSender(dir);
      await files.send({
        messageId: '<m1@notifications.fluxnote>',
        from: 'FluxNote <notifications@fluxnote.dev>',
        to: 'someone@example.com',
        subject: 'Hello',
        text: 'plain words',
        html: '<p>html words</p>',
      });
      files.close();
      const [name] = readdirSync(dir);
      expect(name).toMatch(/\.eml$/);
      const eml = await simpleParser(readFileSync(`${dir}/${name}`));
      expect(eml.to).toMatchObject({ text: 'someone@example.com' });
      expect(eml.text?.trim()).toBe('plain words');
      expect(eml.html).toBe('<p>html words</p>');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
