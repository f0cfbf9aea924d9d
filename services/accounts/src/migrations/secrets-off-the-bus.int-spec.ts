import { randomUUID } from 'node:crypto';
import { Pool } from 'pg';
import { ensureBusSchema } from '@fluxnote/messaging';
import { openServiceDatabase } from '@fluxnote/persistence';
import { createTestDatabase, type TestDatabase } from '@fluxnote/testing';
import { accountsDatabase } from '../accounts.database';
import { SecretsOffTheBus1764500000100 } from './1764500000100-secrets-off-the-bus';

/** An accounts database from before the fix, with clear secrets in its outbox and on the embedded bus. */
describe('migration: secrets off the bus (Postgres)', () => {
  let db: TestDatabase;

  beforeAll(async () => {
    db = await createTestDatabase('accounts_secrets');
  });

  afterAll(async () => {
    await db.drop();
  });

  it('expires every code and link issued before it, and wipes the clear ones from outbox, bus and dead letters', async () => {
    const before = Object.values(accountsDatabase.migrations).filter(
      (m) => m !== SecretsOffTheBus1764500000100,
    );
    const old = await openServiceDatabase({
      url: db.url,
      schema: 'accounts',
      entities: accountsDatabase.entities,
      migrations: before,
    });
    const pool = new Pool({ connectionString: db.url });
    await ensureBusSchema(pool);
    const userId = randomUUID();
    const now = new Date('2026-11-30T10:00:00Z');
    await old.query(
      `INSERT INTO accounts.users (id, email, password_hash, brand, roles, status, created_at)
       VALUES ($1, $2, 'x', 'fluxnote', '{user}', 'active', $3)`,
      [userId, `${userId}@example.com`, now],
    );
    await old.query(
      `INSERT INTO accounts.action_tokens (token_hash, user_id, purpose, expires_at, created_at)
       VALUES ('live-reset', $1, 'password_reset', $2, $3), ('live-unlock', $1, 'unlock', $2, $3)`,
      [userId, new Date(now.getTime() + 3_600_000), now],
    );
    await old.query(
      `INSERT INTO accounts.login_challenges (id, user_id, code_hash, device_key, device, expires_at, created_at)
       VALUES ($1, $2, 'h', 'k', 'laptop', $3, $4)`,
      [randomUUID(), userId, new Date(now.getTime() + 600_000), now],
    );
    const envelope = (type: string, data: Record<string, unknown>) => ({
      id: randomUUID(),
      type,
      source: 'accounts',
      subject: userId,
      data: { userId, ...data },
    });
    const clear = [
      envelope('accounts.login.challenged.v1', { challengeId: randomUUID(), code: '123456' }),
      envelope('accounts.login.throttled.v1', { unlockToken: 'unlock-in-clear', failures: 5 }),
      envelope('accounts.password.reset_requested.v1', { resetToken: 'reset-in-clear' }),
      envelope('accounts.password.changed.v1', {}),
    ];
    for (const [i, e] of clear.entries()) {
      await old.query(
        `INSERT INTO accounts.outbox (event_id, topic, key, envelope) VALUES ($1, 'fluxnote.accounts.v1', $2, $3)`,
        [e.id, userId, e],
      );
      await pool.query(
        `INSERT INTO bus.events (topic, partition, "offset", key, event_id, envelope)
         VALUES ('fluxnote.accounts.v1', 0, $1, $2, $3, $4)`,
        [i, userId, e.id, e],
      );
      await pool.query(
        `INSERT INTO bus.dead_letters (group_id, topic, partition, "offset", event_id, envelope, error, attempts)
         VALUES ('notifications.feed', 'fluxnote.accounts.v1', 0, $1, $2, $3, 'x', 5)`,
        [i, e.id, e],
      );
    }
    await old.destroy();

    const migrated = await openServiceDatabase({
      url: db.url,
      schema: 'accounts',
      entities: accountsDatabase.entities,
      migrations: accountsDatabase.migrations,
    });
    try {
      const tokens = await migrated.query<{ live: boolean }[]>(
        `SELECT expires_at > created_at AS live FROM accounts.action_tokens
         UNION ALL SELECT expires_at > created_at FROM accounts.login_challenges`,
      );
      expect(tokens).toEqual([{ live: false }, { live: false }, { live: false }]);
      for (const table of ['accounts.outbox', 'bus.events', 'bus.dead_letters']) {
        const rows = await migrated.query<{ envelope: { type: string; data: object } }[]>(
          `SELECT envelope FROM ${table} ORDER BY event_id`,
        );
        const text = JSON.stringify(rows);
        for (const secret of ['123456', 'unlock-in-clear', 'reset-in-clear']) {
          expect(text).not.toContain(secret);
        }
        // the rest of each event stays as it was
        expect(rows).toHaveLength(4);
        expect(text).toContain('"failures":5');
      }
    } finally {
      await migrated.destroy();
      await pool.end();
    }
  });
});
