import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { ProblemError } from '@fluxnote/contracts';
import { createTestDatabase, expectEventually, type TestDatabase } from '@fluxnote/testing';
import {
  AccountStanding,
  AccountStandingRebuild,
  accountStandingTableSql,
} from './account-standing';
import { AccountsDirectory, type AccountFacts, type RestrictedAccount } from './accounts-directory';

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

  /** Accounts as the owner lists them: `restricted` by id order; `down` until it answers. */
  class OwnerDouble extends AccountsDirectory {
    down = 0;
    pages = 0;
    constructor(readonly accounts: RestrictedAccount[]) {
      super();
    }
    lookUp(userId: string): Promise<AccountFacts | null> {
      const found = this.accounts.find((a) => a.userId === userId);
      return Promise.resolve({
        id: userId,
        email: '',
        brand: 'fluxnote',
        country: null,
        roles: ['user'],
        status: found?.status ?? 'active',
      });
    }
    restricted(after: string | null, limit: number): Promise<RestrictedAccount[]> {
      if (this.down > 0) {
        this.down--;
        return Promise.reject(new Error('accounts unreachable'));
      }
      this.pages++;
      const sorted = [...this.accounts].sort((a, b) => a.userId.localeCompare(b.userId));
      return Promise.resolve(
        sorted.filter((a) => after === null || a.userId > after).slice(0, limit),
      );
    }
  }

  it('rebuilds from accounts what a service added later never heard, page by page, keeping a later event', async () => {
    const [frozen, suspended, locked, lifted] = [
      randomUUID(),
      randomUUID(),
      randomUUID(),
      randomUUID(),
    ];
    const owner = new OwnerDouble([
      { userId: frozen, status: 'frozen', changedAt: new Date('2026-01-05T10:00:00Z') },
      { userId: suspended, status: 'suspended', changedAt: new Date('2026-02-01T10:00:00Z') },
      { userId: locked, status: 'locked', changedAt: new Date('2026-03-01T10:00:00Z') },
      // accounts' page was read before this one's unfreeze event arrived here
      { userId: lifted, status: 'frozen', changedAt: new Date('2026-03-02T10:00:00Z') },
    ]);
    const rebuilt = new AccountStanding(dataSource, 'svc', owner);
    await apply(lifted, 'active', '2026-03-03T10:00:00Z');
    expect(await rebuilt.rebuildFromOwner(3)).toBe(4);
    expect(owner.pages).toBe(2);
    const refusalBy = async (userId: string) =>
      rebuilt.assertActive(userId, 'A new job').then(
        () => 'allowed',
        (error: unknown) => (error instanceof ProblemError ? error.problem.type : String(error)),
      );
    expect(await refusalBy(frozen)).toBe('account-frozen');
    expect(await refusalBy(suspended)).toBe('account-suspended');
    expect(await refusalBy(locked)).toBe('account-locked');
    expect(await rows(lifted)).toEqual([{ status: 'active' }]);
    // run again (the next start): nothing changes
    expect(await rebuilt.rebuildFromOwner(3)).toBe(4);
    expect(await rows(frozen)).toEqual([{ status: 'frozen' }]);
  });

  it('starts on the copy it has when accounts is down, and rebuilds once accounts answers', async () => {
    const suspended = randomUUID();
    const owner = new OwnerDouble([
      { userId: suspended, status: 'suspended', changedAt: new Date('2026-02-01T10:00:00Z') },
    ]);
    owner.down = 2;
    const rebuild = new AccountStandingRebuild(new AccountStanding(dataSource, 'svc', owner), 20);
    try {
      await rebuild.onApplicationBootstrap(); // does not throw: the service starts
      expect(await rows(suspended)).toEqual([]);
      await expectEventually(async () =>
        expect(await rows(suspended)).toEqual([{ status: 'suspended' }]),
      );
    } finally {
      rebuild.onModuleDestroy();
    }
  });
});
