import type { DataSource } from 'typeorm';
import { FixedClock } from '@fluxnote/clock';
import { purgingServices } from '@fluxnote/contracts';
import { Registry } from 'prom-client';
import { loginClient } from '../security/login-history';
import { pendingPurges } from './deletion.repository';
import { reportPurges } from './purge-metrics';
import { openAccountsTestbed, type AccountsServices } from '../testing/accounts-services';

describe('account deletion (Postgres)', () => {
  let dataSource: DataSource;
  let services: AccountsServices;
  let close: () => Promise<void>;
  const clock = new FixedClock(new Date('2026-11-04T09:00:00Z'));

  beforeAll(async () => {
    ({ dataSource, services, close } = await openAccountsTestbed('deletion', clock));
  });

  afterAll(async () => {
    await close();
  });

  async function outbox(type: string): Promise<Record<string, unknown>[]> {
    const rows = await dataSource.query<{ envelope: { data: Record<string, unknown> } }[]>(
      `SELECT envelope FROM accounts.outbox WHERE envelope->>'type' = $1 ORDER BY seq`,
      [type],
    );
    return rows.map((r) => r.envelope.data);
  }

  it('asks every service to purge once, alerts operations near the 72-hour deadline, and completes on the last confirmation', async () => {
    const session = await services.identity.signUp({
      email: 'leaving@example.com',
      password: 'correct horse battery',
      brand: 'fluxnote',
      country: 'US',
      client: loginClient({ ip: '8.8.8.8', country: '', deviceId: 'p', userAgent: 'App' }),
    });
    const userId = session.user.id;
    const registry = new Registry();
    const stopReporting = reportPurges(registry, () => pendingPurges(dataSource), clock);
    expect(await registry.metrics()).toContain('fluxnote_accounts_deletions_pending 0');
    expect(await registry.metrics()).not.toMatch(/^fluxnote_accounts_purge_deadline_seconds\{/m);
    const first = await services.deletions.request(userId);
    expect(first.purgeBy.getTime() - clock.now().getTime()).toBe(72 * 3_600_000);
    // what an operator's Prometheus sees (FluxNotePurgeDeadline): 72 hours left
    expect(await registry.metrics()).toContain('fluxnote_accounts_deletions_pending 1');
    expect(await registry.metrics()).toContain(
      `fluxnote_accounts_purge_deadline_seconds{deletion="${first.deletionId}"} 259200`,
    );
    expect(await services.deletions.request(userId)).toEqual(first);
    expect(await outbox('accounts.deletion.requested.v1')).toEqual([
      expect.objectContaining({ deletionId: first.deletionId, userId }),
    ]);
    expect((await services.identity.getUser(userId)).status).toBe('deleting');

    await dataSource.transaction((m) => services.deletions.confirm(m, first.deletionId, 'billing'));
    await dataSource.transaction((m) => services.deletions.confirm(m, first.deletionId, 'billing'));

    clock.advance(59 * 3_600_000);
    expect(await services.deletions.alertNearDeadline()).toBe(0);
    clock.advance(2 * 3_600_000);
    expect(await registry.metrics()).toContain(
      `fluxnote_accounts_purge_deadline_seconds{deletion="${first.deletionId}"} 39600`,
    );
    expect(await services.deletions.alertNearDeadline()).toBe(1);
    expect(await services.deletions.alertNearDeadline()).toBe(0);
    const [alert] = await outbox('accounts.operations.alert.v1');
    expect(alert).toMatchObject({
      kind: 'purge_deadline',
      severity: 'warning',
      details: { waitingFor: ['generation', 'notifications', 'support'] },
    });

    for (const service of purgingServices) {
      await dataSource.transaction((m) => services.deletions.confirm(m, first.deletionId, service));
    }
    expect(await registry.metrics()).toContain('fluxnote_accounts_deletions_pending 0');
    expect(await registry.metrics()).not.toContain(first.deletionId);
    stopReporting();
    const left = await dataSource.query<{ n: string }[]>(
      `SELECT count(*) AS n FROM accounts.users WHERE id = $1`,
      [userId],
    );
    expect(left[0].n).toBe('0');
    const logins = await dataSource.query<unknown[]>(
      `SELECT 1 FROM accounts.logins WHERE user_id = $1`,
      [userId],
    );
    expect(logins).toEqual([]);
    expect(
      await dataSource.query(`SELECT deletion_id, services FROM accounts.purge_records`),
    ).toEqual([
      {
        deletion_id: first.deletionId,
        services: ['accounts', 'billing', 'generation', 'notifications', 'support'],
      },
    ]);
    // the ended sessions stay ended until their tokens expire, belonging to no one
    // (kept, not deleted: the gateway may not have pulled them yet)
    const revocations = await dataSource.query<{ user_id: string | null }[]>(
      `SELECT user_id FROM accounts.session_revocations`,
    );
    expect(revocations.length).toBeGreaterThan(0);
    expect(revocations.every((r) => r.user_id === null)).toBe(true);
    // once, for the last email: the address travels in the event and is stored nowhere
    expect(await outbox('accounts.deletion.completed.v1')).toEqual([
      expect.objectContaining({
        deletionId: first.deletionId,
        email: expect.stringContaining('@'),
      }),
    ]);
    await dataSource.transaction((m) => services.deletions.confirm(m, first.deletionId, 'support'));
    expect(await outbox('accounts.deletion.completed.v1')).toHaveLength(1);
  });
});
