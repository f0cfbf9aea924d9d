import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import { Pool } from 'pg';
import request from 'supertest';
import { expectEventually, testTransport } from '@fluxnote/testing';
import type { Platform } from '../../tools/launcher/platform';
import { mailTo, startPlatformUnderTest } from './platform-under-test';

jest.setTimeout(180_000);

const transport = testTransport();

/** One secret and how to find it in text: a six-digit code only as a number of its own. */
interface Secret {
  what: string;
  value: string;
  pattern: string;
}

const codeSecret = (value: string): Secret => ({
  what: 'log-in code',
  value,
  pattern: `(^|[^0-9])${value}([^0-9]|$)`,
});
const tokenSecret = (what: string, value: string): Secret => ({ what, value, pattern: value });

/** Every event the platform's bus holds, as text: the embedded bus's tables or Kafka's topics. */
async function busContents(platform: Platform, db: Pool): Promise<string[]> {
  if (transport.name !== 'Kafka') {
    const rows = await db.query<{ envelope: string }>(
      `SELECT envelope::text FROM bus.events UNION ALL SELECT envelope::text FROM bus.dead_letters`,
    );
    return rows.rows.map((r) => r.envelope);
  }
  const kafka = new Kafka({
    clientId: 'secret-scan',
    brokers: transport.env['KAFKA_BROKERS']!.split(','),
    logLevel: logLevel.NOTHING,
  });
  const admin = kafka.admin();
  await admin.connect();
  const names = (await admin.listTopics()).filter((t) => t.startsWith('fluxnote.'));
  await admin.disconnect();
  const consumer = kafka.consumer({ groupId: `secret-scan-${platform.gatewayUrl}-${Date.now()}` });
  const seen: string[] = [];
  await consumer.connect();
  await consumer.subscribe({ topics: names, fromBeginning: true });
  await consumer.run({
    eachMessage: ({ message }) => {
      seen.push(message.value?.toString('utf8') ?? '');
      return Promise.resolve();
    },
  });
  try {
    // Read until nothing new arrives for two seconds (and the accounts topic has been read).
    let last = -1;
    await expectEventually(
      () => {
        const count = seen.length;
        if (count !== last || !seen.some((m) => m.includes('accounts.password.reset_requested'))) {
          last = count;
          throw new Error(`still reading (${count} messages)`);
        }
      },
      { timeoutMs: 60_000, intervalMs: 2000 },
    );
  } finally {
    await consumer.disconnect();
  }
  return seen;
}

/**
 * A log-in code and the one-time link tokens reach only the user's inbox: after a challenge, a
 * reset and a throttle (each secret then used, so they were real), none of them is anywhere on the
 * bus, in any service's log, or in any table of the database — only in the emails.
 */
describe(`secrets reach only the inbox (${transport.name})`, () => {
  let platform: Platform;
  let stop: () => Promise<void>;
  let db: Pool;
  let api: ReturnType<typeof request>;
  const from = (ip: string) => ({ 'x-forwarded-for': ip, 'user-agent': 'FluxNote Web 5.0' });
  const password = 'a long enough password';

  beforeAll(async () => {
    ({ platform, stop } = await startPlatformUnderTest('e2e_secrets', {
      LOG_LEVEL: 'debug',
      TRUSTED_PROXIES: 'loopback',
      ARGON2_MEMORY_KIB: '8192',
      ARGON2_TIME_COST: '1',
    }));
    api = request(platform.gatewayUrl);
    db = new Pool({ connectionString: platform.databaseUrl, max: 2 });
  });

  afterAll(async () => {
    await db?.end();
    await stop?.();
  });

  it('keeps every log-in code and link token off the bus, out of the logs and out of the database', async () => {
    const email = `sealed-${Date.now()}@example.com`;
    await api
      .post('/v1/auth/signup')
      .set(from('8.8.8.8'))
      .send({ email, password, deviceId: 'phone' })
      .expect(201);

    // a new device in another country: the code comes by email, and it works
    const challenge = await api
      .post('/v1/auth/login')
      .set(from('49.44.0.1'))
      .send({ email, password, deviceId: 'laptop' })
      .expect(202);
    const code = /(\d{6})/.exec((await mailTo(platform, email, /log-in code/)).subject)![1];
    await api
      .post('/v1/auth/login/verify')
      .set(from('49.44.0.1'))
      .send({ challengeId: challenge.body.challengeId, code })
      .expect(200);

    // too many wrong passwords from new devices: the unlock link works
    for (let i = 0; i < 5; i++) {
      await api
        .post('/v1/auth/login')
        .set(from(`198.51.100.${i + 1}`))
        .send({ email, password: 'not the password', deviceId: `bot-${i}` })
        .expect(401);
    }
    const unlockMail = await mailTo(platform, email, /paused log-ins/);
    const unlockToken = decodeURIComponent(/unlock\?token=([^\s\]]+)/.exec(unlockMail.text)![1]);
    await api.post('/v1/auth/unlock').send({ token: unlockToken }).expect(204);

    // forgot password: the reset link works
    await api.post('/v1/auth/password/forgot').send({ email }).expect(202);
    const resetMail = await mailTo(platform, email, /Choose a new password/);
    const resetToken = decodeURIComponent(
      /reset-password\?token=([^\s\]]+)/.exec(resetMail.text)![1],
    );
    await api
      .post('/v1/auth/password/reset')
      .send({ token: resetToken, newPassword: 'another long password' })
      .expect(204);

    const secrets = [
      codeSecret(code),
      tokenSecret('unlock token', unlockToken),
      tokenSecret('reset token', resetToken),
    ];
    const leaks = (where: string, texts: readonly string[]): string[] =>
      secrets.flatMap((s) =>
        texts.some((t) => new RegExp(s.pattern).test(t)) ? [`${s.what} in ${where}`] : [],
      );

    // the bus carried the three events, sealed
    const bus = await busContents(platform, db);
    for (const type of [
      'accounts.login.challenged.v2',
      'accounts.login.throttled.v2',
      'accounts.password.reset_requested.v2',
    ]) {
      expect(bus.some((e) => e.includes(type))).toBe(true);
    }
    const sealed = /"sealedCode":\s*"[\w-]+\.[\w-]*\.[\w-]+\.[\w-]+\.[\w-]+"/;
    expect(bus.some((e) => sealed.test(e))).toBe(true);
    const found = leaks(`the bus (${transport.name})`, bus);

    // every service's log
    const logs = join(platform.dataDir, 'logs');
    for (const file of readdirSync(logs)) {
      found.push(...leaks(`logs/${file}`, [readFileSync(join(logs, file), 'utf8')]));
    }
    expect(readdirSync(logs).length).toBeGreaterThanOrEqual(6);

    // every text column of every table, in every service's schema
    const columns = await db.query<{ schema: string; table: string; column: string }>(
      `SELECT c.table_schema AS schema, c.table_name AS table, c.column_name AS column
         FROM information_schema.columns c
         JOIN information_schema.tables t USING (table_schema, table_name)
        WHERE t.table_type = 'BASE TABLE'
          AND c.table_schema NOT IN ('pg_catalog', 'information_schema')
          AND c.data_type IN ('text', 'character varying', 'jsonb', 'json', 'ARRAY')`,
    );
    expect(columns.rows.length).toBeGreaterThan(50);
    for (const { schema, table, column } of columns.rows) {
      for (const secret of secrets) {
        const hits = await db.query<{ n: number }>(
          `SELECT count(*)::int AS n FROM "${schema}"."${table}" WHERE "${column}"::text ~ $1`,
          [secret.pattern],
        );
        if (hits.rows[0].n > 0) {
          found.push(`${secret.what} in ${schema}.${table}.${column}`);
        }
      }
    }
    expect(found).toEqual([]);
  });
});
