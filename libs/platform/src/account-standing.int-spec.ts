import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { ProblemError } from '@fluxnote/contracts';
import { createTestDatabase, type TestDatabase } from '@fluxnote/testing';
import { AccountStanding, accountStandingTableSql } from './account-standing';

describe('AccountStanding (Postgres)', () => {
  let db: TestDatabase;
  let dataSource: DataSource;
  let standing: AccountStanding;

  beforeAll(async () => {
    db = await createTestDatabase('standing');
    dataSource = await new DataSource({ type: 'postgres', url: db.url }).initialize();
    await dataSource.query(`CREATE SCHEMA svc`);
    await dataSource.query(accountStandingTableSql('svc'));
    standing = new AccountStanding(dataSource, 'svc');
  });

  afterAll(async () => {
    await dataSource.destroy();
    await db.drop();
  });

  const apply = (userId: string, status: string, at: string) =>
    dataSource.transaction((m) => standing.apply(m, userId, status, new Date(at)));
  const rows = async (userId: string) =>
    dataSource.query<{ status: string }[]>(
      `SELECT status FROM svc.account_standing WHERE user_id = $1`,
      [userId],
    );
  const refusal = async (userId: string) => {
    try {
      await standing.assertActive(userId, 'A new job');
      return undefined;
    } catch (error) {
      return error instanceof ProblemError ? error.problem : error;
    }
  };

  it('refuses work with 423 while the account is not active, and allows it again once active', async () => {
    const userId = randomUUID();
    expect(await refusal(userId)).toBeUndefined();
    await apply(userId, 'frozen', '2026-11-01T10:00:00Z');
    expect(await refusal(userId)).toMatchObject({ status: 423, type: 'account-frozen' });
    await apply(userId, 'active', '2026-11-01T11:00:00Z');
    expect(await refusal(userId)).toBeUndefined();
  });

  it('ignores a status older than the one already applied', async () => {
    const userId = randomUUID();
    await apply(userId, 'suspended', '2026-11-01T12:00:00Z');
    await apply(userId, 'active', '2026-11-01T11:00:00Z');
    expect(await refusal(userId)).toMatchObject({ status: 423, type: 'account-suspended' });
  });

  it('keeps no row once the account is being deleted, whether the purge ran before or after', async () => {
    const purgedFirst = randomUUID();
    await apply(purgedFirst, 'frozen', '2026-11-01T10:00:00Z');
    await dataSource.query(`DELETE FROM svc.account_standing WHERE user_id = $1`, [purgedFirst]);
    await apply(purgedFirst, 'deleting', '2026-11-01T10:05:00Z');
    expect(await rows(purgedFirst)).toEqual([]);

    const statusFirst = randomUUID();
    await apply(statusFirst, 'locked', '2026-11-01T10:00:00Z');
    await apply(statusFirst, 'deleting', '2026-11-01T10:05:00Z');
    expect(await rows(statusFirst)).toEqual([]);
  });
});
