import { Client } from 'pg';
import request from 'supertest';
import { expectEventually, testTransport } from '@fluxnote/testing';
import type { Platform } from '../../tools/launcher/platform';
import { startPlatformUnderTest, testAdmin } from './platform-under-test';

jest.setTimeout(180_000);

interface Session {
  accessToken: string;
  refreshToken: string;
  user: { id: string };
}

/**
 * A client as fast as a real one: every request is sent the moment the one before it answered,
 * never after waiting for an event. Whatever an answer said happened, the next request sees — on
 * the embedded bus (project `e2e`) and on Kafka (project `e2e-kafka`), where events take longest.
 * Only work the platform does on its own time (a job running, a notification being delivered) is
 * waited for.
 */
describe(`a fast client (${testTransport().name})`, () => {
  let platform: Platform;
  let stopPlatform: () => Promise<void>;
  let api: ReturnType<typeof request>;

  beforeAll(async () => {
    ({ platform, stop: stopPlatform } = await startPlatformUnderTest('fast', {
      SIMULATOR_DEFAULT_LATENCY_MS: '50',
    }));
    api = request(platform.gatewayUrl);
  });

  afterAll(async () => {
    await stopPlatform?.();
  });

  let counter = 0;
  const password = 'a long enough password';
  async function signUp(): Promise<Session & { email: string }> {
    const email = `fast${++counter}-${Date.now()}@example.com`;
    const response = await api.post('/v1/auth/signup').send({ email, password, country: 'US' });
    expect(response.status).toBe(201);
    return { ...(response.body as Session), email };
  }

  async function logInAdmin(): Promise<Session> {
    const response = await api.post('/v1/auth/login').send({ ...testAdmin });
    expect(response.status).toBe(200);
    return response.body as Session;
  }

  function as(session: Session | string): {
    get(path: string): request.Test;
    post(path: string): request.Test;
    put(path: string): request.Test;
  } {
    const token = typeof session === 'string' ? session : session.accessToken;
    const auth = (test: request.Test): request.Test => test.set('authorization', `Bearer ${token}`);
    return {
      get: (path) => auth(api.get(path)),
      post: (path) => auth(api.post(path)),
      put: (path) => auth(api.put(path)),
    };
  }

  const job = { model: 'wan-2.6', mode: 'text-to-video', prompt: 'a paper boat on a rainy street' };

  it('a new user uses everything the moment sign-up answered', async () => {
    // Ten at once, as a launch day's sign-ups come.
    await Promise.all(
      Array.from({ length: 10 }, async () => {
        const user = await signUp();
        const usage = await as(user).get('/v1/usage');
        expect(usage.status).toBe(200);
        expect(usage.body.video).toMatchObject({ allowance: 1, remaining: 1 });
        expect((await as(user).get('/v1/notifications')).status).toBe(200);
        expect((await as(user).get('/v1/billing/subscription')).body).toMatchObject({
          plan: 'free',
        });
        const ticket = await as(user)
          .post('/v1/support/tickets')
          .send({ channel: 'email', body: 'How do I make a vertical video?' });
        expect(ticket.status).toBe(201);
        const submitted = await as(user).post('/v1/generations').send(job);
        expect(submitted.status).toBe(202);
        expect(submitted.body).toMatchObject({ status: 'queued', lane: 'shared' });
      }),
    );
  });

  it('a plan bought is the plan in force at once: allowance, chat, the priority tag, the lane', async () => {
    const user = await signUp();
    const upgraded = await as(user)
      .post('/v1/billing/subscription')
      .send({ plan: 'pro', interval: 'month' });
    expect(upgraded.status).toBe(200);
    const usage = (await as(user).get('/v1/usage').expect(200)).body as {
      video: { allowance: number };
    };
    expect(usage.video.allowance).toBeGreaterThan(1);
    const chat = await as(user)
      .post('/v1/support/tickets')
      .send({ channel: 'chat', body: 'Where are my renders?' });
    expect(chat.status).toBe(201);
    expect(chat.body).toMatchObject({ priorityClass: 'paid', tags: [] });

    const max = await signUp();
    expect(
      (await as(max).post('/v1/billing/subscription').send({ plan: 'max', interval: 'month' }))
        .status,
    ).toBe(200);
    const priority = await as(max)
      .post('/v1/support/tickets')
      .send({ channel: 'chat', body: 'PRIORITY\nMy export is stuck at 99 %.' });
    expect(priority.status).toBe(201);
    expect(priority.body).toMatchObject({ tags: ['priority'], priorityClass: 'max_priority' });
    const submitted = await as(max).post('/v1/generations').send(job);
    expect(submitted.status).toBe(202);
    expect(submitted.body).toMatchObject({ lane: 'priority' });
  });

  it('a job runs to success, a failed one gives its credit back, and both are told', async () => {
    const admin = await logInAdmin();
    const user = await signUp();
    await as(user)
      .post('/v1/billing/credit-packs')
      .send({ pack: 'video-10' })
      .expect((r) => expect([200, 201]).toContain(r.status));
    const done = (await as(user).post('/v1/generations').send(job).expect(202)).body as {
      id: string;
    };
    await expectEventually(async () => {
      expect((await as(user).get(`/v1/generations/${done.id}`)).body.status).toBe('succeeded');
    });

    await as(admin)
      .put('/v1/admin/simulator/models/hailuo-2.3')
      .send({ failure: 'provider_5xx', latencyMs: 50 })
      .expect(200);
    try {
      const before = (await as(user).get('/v1/usage').expect(200)).body.video.remaining as number;
      const failing = (
        await as(user)
          .post('/v1/generations')
          .send({ ...job, model: 'hailuo-2.3' })
          .expect(202)
      ).body as { id: string };
      const failed = await expectEventually(async () => {
        const body = (await as(user).get(`/v1/generations/${failing.id}`)).body;
        expect(body.status).toBe('failed');
        return body as { failure: { refunded: boolean } };
      });
      expect(failed.failure.refunded).toBe(true);
      // Said refunded: the very next read shows the credit back.
      expect((await as(user).get('/v1/usage').expect(200)).body.video.remaining).toBe(before);
    } finally {
      await as(admin)
        .put('/v1/admin/simulator/models/hailuo-2.3')
        .send({ failure: null, latencyMs: 50 })
        .expect(200);
    }
    await expectEventually(async () => {
      const titles = (
        (await as(user).get('/v1/notifications').expect(200)).body.items as {
          title: string;
        }[]
      ).map((n) => n.title);
      expect(titles).toEqual(
        expect.arrayContaining(['Your generation is ready', expect.stringMatching(/refunded/)]),
      );
    });
  });

  it('200 submits at once from 20 users holding 50 credits: exactly 50 run, and every ledger adds up', async () => {
    const users = await Promise.all(Array.from({ length: 20 }, () => signUp()));
    const credits = users.map((_, i) => (i < 10 ? 3 : 2)); // 50 in all
    const db = new Client({ connectionString: platform.databaseUrl });
    await db.connect();
    try {
      for (const [i, user] of users.entries()) {
        // (the free credit as the API shows it; billing opens the account by then)
        expect((await as(user).get('/v1/usage').expect(200)).body.video.allowance).toBe(1);
        const { rowCount } = await db.query(
          `UPDATE billing.credit_balances SET allowance = $2 WHERE user_id = $1 AND pool = 'video'`,
          [user.user.id, credits[i]],
        );
        expect(rowCount).toBe(1);
      }
      // Ten each, all 200 in flight together.
      const answers = await Promise.all(
        users.flatMap((user, i) =>
          Array.from({ length: 10 }, (_, n) =>
            as(user)
              .post('/v1/generations')
              .send({ ...job, prompt: `boat ${i}-${n}` })
              .then((r) => ({ user: i, status: r.status })),
          ),
        ),
      );
      for (const [i] of users.entries()) {
        const mine = answers.filter((a) => a.user === i).map((a) => a.status);
        expect(mine.filter((s) => s === 202)).toHaveLength(credits[i]);
        expect(mine.filter((s) => s !== 202 && s !== 402)).toEqual([]);
      }

      const ids = users.map((u) => u.user.id);
      // Every job runs and is charged once.
      await expectEventually(
        async () => {
          const { rows } = await db.query<{ status: string; jobs: number }>(
            `SELECT status, count(*)::int AS jobs FROM generation.jobs
              WHERE user_id = ANY($1) GROUP BY status`,
            [ids],
          );
          expect(rows).toEqual([{ status: 'succeeded', jobs: 50 }]);
        },
        { timeoutMs: 60_000 },
      );
      await expectEventually(async () => {
        for (const [i, user] of users.entries()) {
          const usage = (await as(user).get('/v1/usage').expect(200)).body.video;
          expect(usage).toMatchObject({ allowance: credits[i], used: credits[i], reserved: 0 });
          expect(usage.remaining).toBe(0);
        }
      });
      // The ledger agrees with the balances, user by user: each hold settled once, as a commit.
      const { rows: ledger } = await db.query<{
        user_id: string;
        reserved: number;
        committed: number;
        released: number;
        used: number;
        held: number;
        reservations: number;
      }>(
        `SELECT b.user_id, b.used, b.reserved AS held,
                coalesce(sum(e.amount) FILTER (WHERE e.kind = 'reserve'), 0)::int AS reserved,
                coalesce(sum(e.amount) FILTER (WHERE e.kind = 'commit'), 0)::int AS committed,
                coalesce(sum(e.amount) FILTER (WHERE e.kind = 'release'), 0)::int AS released,
                (SELECT count(*)::int FROM billing.reservations r
                  WHERE r.user_id = b.user_id AND r.status = 'committed') AS reservations
           FROM billing.credit_balances b
           LEFT JOIN billing.credit_entries e ON e.user_id = b.user_id AND e.pool = b.pool
          WHERE b.user_id = ANY($1) AND b.pool = 'video'
          GROUP BY b.user_id, b.used, b.reserved`,
        [ids],
      );
      expect(ledger).toHaveLength(20);
      for (const row of ledger) {
        const given = credits[ids.indexOf(row.user_id)];
        expect(row).toEqual({
          user_id: row.user_id,
          used: given,
          held: 0,
          reserved: given,
          committed: given,
          released: 0,
          reservations: given,
        });
      }
    } finally {
      await db.end();
    }
  });

  it(`the events of all this went through ${testTransport().name === 'Kafka' ? 'Kafka, not the embedded bus' : 'the embedded bus'}`, async () => {
    const client = new Client({ connectionString: platform.databaseUrl });
    await client.connect();
    try {
      const { rows } = await client
        .query<{ events: string }>(
          `SELECT count(*) AS events FROM bus.events WHERE to_regclass('bus.events') IS NOT NULL`,
        )
        .catch(() => ({ rows: [{ events: '0' }] }));
      const onBus = Number(rows[0]?.events ?? 0);
      if (testTransport().name === 'Kafka') {
        expect(onBus).toBe(0);
      } else {
        expect(onBus).toBeGreaterThan(0);
      }
    } finally {
      await client.end();
    }
  });

  it('sessions ended by an answer are refused from the next request on', async () => {
    // SECURITY freezes the account: its token no longer submits, nobody logs in.
    const owner = await signUp();
    const ticket = await as(owner)
      .post('/v1/support/tickets')
      .send({ channel: 'email', body: 'SECURITY\nSomeone changed my email address.' });
    expect(ticket.status).toBe(201);
    expect((await as(owner).post('/v1/generations').send(job)).status).toBe(401);
    expect((await api.post('/v1/auth/login').send({ email: owner.email, password })).status).toBe(
      423,
    );

    // A senior agent lifts the freeze: the owner logs in and submits at once.
    const admin = await logInAdmin();
    await as(admin)
      .post(`/v1/agent/tickets/${ticket.body.id as string}/actions`)
      .send({ type: 'unfreeze_account', note: 'owner confirmed by phone' })
      .expect(200);
    const back = await api.post('/v1/auth/login').send({ email: owner.email, password });
    expect(back.status).toBe(200);
    expect(
      (
        await as(back.body as Session)
          .post('/v1/generations')
          .send(job)
      ).status,
    ).toBe(202);

    // "Not me" ends every session of the account at once, the reporting one included.
    const reporter = await signUp();
    const logins = (await as(reporter).get('/v1/account/logins').expect(200)).body as {
      items: { id: string }[];
    };
    await as(reporter)
      .post(`/v1/account/logins/${logins.items[0].id}/not-me`)
      .expect((r) => expect(r.status).toBeLessThan(300));
    expect((await as(reporter).get('/v1/me')).status).toBe(401);

    // Log-out: the access token of that session stops at once.
    const leaving = await signUp();
    await api.post('/v1/auth/logout').send({ refreshToken: leaving.refreshToken }).expect(204);
    expect((await as(leaving).get('/v1/me')).status).toBe(401);
  });
});
