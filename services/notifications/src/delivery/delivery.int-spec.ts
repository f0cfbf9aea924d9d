import { randomUUID } from 'node:crypto';
import { readdirSync, readFileSync, rmSync } from 'node:fs';
import { simpleParser } from 'mailparser';
import type { DataSource } from 'typeorm';
import {
  jobSucceededV1,
  loginChallengedV2,
  passwordResetRequestedV2,
  ProblemError,
  deletionCompletedV1,
} from '@fluxnote/contracts';
import { EventRouter } from '@fluxnote/messaging';
import { makeTempDir } from '@fluxnote/testing';
import { FeedService } from '../feed/feed.service';
import { PreferencesService } from '../preferences/preferences.service';
import { DeliveryWorker } from './delivery-worker';
import { FileEmailSender } from './email-sender';
import { SealedSecretRefused, SecretSealer } from '@fluxnote/platform';
import { SECRET_REMOVED } from '../migrations/1764500000300-secrets-once-sent';
import type { OpenedDelivery } from '../testing/delivery-fixture';
import { parse, useDeliveryFixture } from '../testing/delivery-fixture';

describe('notification delivery by email and to the feed (Postgres, real SMTP)', () => {
  const fixture = useDeliveryFixture('notifications_delivery');
  const { clock, known, envelope, newUser, jobFailed, refundRejected, deliveries, countsSince } =
    fixture;
  let dataSource: DataSource;
  let smtp: OpenedDelivery['smtp'];
  let router: EventRouter;
  let feed: FeedService;
  let preferences: PreferencesService;
  let worker: DeliveryWorker;
  let sealer: SecretSealer;
  beforeAll(() => {
    ({ dataSource, smtp, router, feed, preferences, worker, sealer } = fixture.opened());
  });

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
