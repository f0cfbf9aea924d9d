import type { Provider } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { ProblemError, userStatusChangedV1 } from '@fluxnote/contracts';
import { EventConsumer, type EventRouter } from '@fluxnote/messaging';
import { PreparedStatement } from '@fluxnote/persistence';
import { AccountsDirectory } from './accounts-directory';

/**
 * Each service that acts for users keeps the latest account status it heard
 * from accounts, and refuses new work (jobs, billing changes) while an account
 * is locked, frozen or suspended — even if a request got past
 * the gateway with a token issued before the change. The copy may be behind the
 * other way too (an unfreeze, an overturned appeal): before it refuses, accounts
 * is asked once, and its answer stands.
 */
export function accountStandingTableSql(schema: string): string {
  return `CREATE TABLE "${schema}".account_standing (
    user_id uuid PRIMARY KEY,
    status text NOT NULL,
    changed_at timestamptz NOT NULL
  )`;
}

const refusals: Record<string, string> = {
  locked: 'This account is locked until its owner recovers it.',
  frozen: 'This account is frozen while a security review is under way.',
  suspended: 'This account is suspended.',
};

export class AccountStanding {
  /** Read on every request that starts work: prepared once per connection. */
  private readonly statusOf: PreparedStatement<{ status: string }>;

  constructor(
    private readonly dataSource: DataSource,
    private readonly schema: string,
    private readonly owner?: AccountsDirectory,
  ) {
    this.statusOf = new PreparedStatement(
      `SELECT status FROM "${schema}".account_standing WHERE user_id = $1`,
    );
  }

  /** Throws 423 unless the account is active (no record: never changed, so active). */
  async assertActive(userId: string, action: string, manager?: EntityManager): Promise<void> {
    const [row] = await this.statusOf.run(manager ?? this.dataSource, [userId]);
    if (!row || row.status === 'active') {
      return;
    }
    // If accounts cannot be asked, the refusal the copy holds stands.
    const current = (await this.owner?.lookUp(userId).catch(() => null))?.status ?? row.status;
    if (current !== 'active') {
      throw new ProblemError({
        type: 'account-' + current,
        title: 'Account ' + current,
        status: 423,
        detail: `${refusals[current] ?? 'This account is not active.'} ${action} must wait.`,
      });
    }
  }

  /**
   * Applies a status change unless a later one was already applied (events of a
   * user arrive in order; this guards replays). `deleting` is the last status an
   * account ever has, and the service's purge may already have run (the purge
   * request travels on another topic), so it removes the row rather than writing
   * one that nothing would ever delete. Sessions end when deletion starts, so no
   * new work can arrive for the account anyway.
   */
  async apply(manager: EntityManager, userId: string, status: string, at: Date): Promise<void> {
    if (status === 'deleting') {
      await manager.query(`DELETE FROM "${this.schema}".account_standing WHERE user_id = $1`, [
        userId,
      ]);
      return;
    }
    await manager.query(
      `INSERT INTO "${this.schema}".account_standing (user_id, status, changed_at) VALUES ($1, $2, $3)
       ON CONFLICT (user_id) DO UPDATE SET status = $2, changed_at = $3
         WHERE "${this.schema}".account_standing.changed_at <= $3`,
      [userId, status, at],
    );
  }
}

export class AccountStandingConsumer extends EventConsumer {
  constructor(
    readonly group: string,
    private readonly standing: AccountStanding,
  ) {
    super();
  }

  register(router: EventRouter): void {
    router.on(userStatusChangedV1, (event, { manager }) =>
      this.standing.apply(manager, event.userId, event.status, new Date(event.at)),
    );
  }
}

/** The standing store and its consumer, for a service's module (which provides an AccountsDirectory). */
export function accountStandingProviders(schema: string): Provider[] {
  return [
    {
      provide: AccountStanding,
      useFactory: (dataSource: DataSource, owner: AccountsDirectory) =>
        new AccountStanding(dataSource, schema, owner),
      inject: [DataSource, AccountsDirectory],
    },
    {
      provide: AccountStandingConsumer,
      useFactory: (standing: AccountStanding) =>
        new AccountStandingConsumer(`${schema}.account-standing`, standing),
      inject: [AccountStanding],
    },
  ];
}
