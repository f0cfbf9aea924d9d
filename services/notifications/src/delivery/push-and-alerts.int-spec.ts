import { randomUUID } from 'node:crypto';
import type { DataSource } from 'typeorm';
import {
  incidentDeclaredV1,
  operationsAlertV1,
  ticketEscalatedV1,
  userStatusChangedV1,
} from '@fluxnote/contracts';
import { EventRouter } from '@fluxnote/messaging';
import { FeedService } from '../feed/feed.service';
import { PreferencesService } from '../preferences/preferences.service';
import { DeliveryWorker } from './delivery-worker';
import { Broadcasts } from '../broadcasts/broadcasts';
import { PushDevices } from '../push/push-devices.service';
import { LogPushSender } from './push-sender';
import type { OpenedDelivery } from '../testing/delivery-fixture';
import { useDeliveryFixture } from '../testing/delivery-fixture';

describe('push, broadcasts and staff alerts (Postgres, real SMTP and push provider)', () => {
  const fixture = useDeliveryFixture('notifications_push');
  const { clock, envelope, newUser, jobFailed, deliveries, countsSince } = fixture;
  let dataSource: DataSource;
  let smtp: OpenedDelivery['smtp'];
  let pushProvider: OpenedDelivery['pushProvider'];
  let devices: PushDevices;
  let broadcasts: Broadcasts;
  let router: EventRouter;
  let feed: FeedService;
  let preferences: PreferencesService;
  let worker: DeliveryWorker;
  beforeAll(() => {
    ({ dataSource, smtp, pushProvider, devices, broadcasts, router, feed, preferences, worker } =
      fixture.opened());
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
});
