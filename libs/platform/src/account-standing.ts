import {
  Logger,
  type OnApplicationBootstrap,
  type OnModuleDestroy,
  type Provider,
} from '@nestjs/common';
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

  /**
   * Copies every account that is not active from accounts (the owner), a page at a time, into
   * this service's copy: a service added after the events of older changes are gone from the
   * topic (Kafka keeps 7 days) knows them all the same. A status the copy already has from a
   * later event stays (`apply` keeps the latest). Returns how many it copied.
   */
  async rebuildFromOwner(pageSize = 500): Promise<number> {
    if (!this.owner) {
      return 0;
    }
    let copied = 0;
    let after: string | null = null;
    for (;;) {
      const page = await this.owner.restricted(after, pageSize);
      for (const account of page) {
        await this.apply(
          this.dataSource.manager,
          account.userId,
          account.status,
          account.changedAt,
        );
      }
      copied += page.length;
      if (page.length < pageSize) {
        return copied;
      }
      after = page[page.length - 1].userId;
    }
  }
}

/**
 * Rebuilds the standing copy from accounts as the service starts, before it serves (so no
 * request is judged on a copy that never heard of an old suspension); if accounts cannot be
 * reached the service starts on the copy it has, and tries again every 10 seconds until done.
 */
export class AccountStandingRebuild implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger('AccountStanding');
  private retry: NodeJS.Timeout | undefined;
  private stopped = false;

  constructor(
    private readonly standing: AccountStanding,
    private readonly retryMs = 10_000,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.attempt();
  }

  onModuleDestroy(): void {
    this.stopped = true;
    clearTimeout(this.retry);
  }

  private async attempt(): Promise<void> {
    try {
      const copied = await this.standing.rebuildFromOwner();
      this.logger.log(`copied ${copied} accounts that are not active from accounts`);
    } catch (error) {
      this.logger.warn(`cannot copy account standing from accounts yet: ${String(error)}`);
      if (!this.stopped) {
        this.retry = setTimeout(() => void this.attempt(), this.retryMs);
        this.retry.unref();
      }
    }
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
    {
      provide: AccountStandingRebuild,
      useFactory: (standing: AccountStanding) => new AccountStandingRebuild(standing),
      inject: [AccountStanding],
    },
  ];
}
