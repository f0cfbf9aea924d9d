import { Logger, type OnModuleDestroy, type Provider } from '@nestjs/common';
import { ProblemError, type accountsV1 } from '@fluxnote/contracts';
import { createGrpcClient, platformServiceSpecs, type GrpcClientHandle } from '@fluxnote/grpc';

/** Who a user is now, as accounts (the owner) answers. */
export interface AccountFacts {
  id: string;
  email: string;
  brand: string;
  country: string | null;
  roles: string[];
  /** active, locked, frozen, suspended, deleting */
  status: string;
}

/**
 * Accounts, asked directly. A service keeps copies of accounts' data from events
 * (a billing account, a role, a status), and an event can arrive after the next
 * request of the user it is about: a copy that would refuse (not found, no role,
 * not active) asks the owner once before it does, so no answer only means
 * "not heard yet" (README, "What a client may rely on").
 */
/** An account that is not active, as accounts lists them. */
export interface RestrictedAccount {
  userId: string;
  /** locked, frozen, suspended */
  status: string;
  /** When it took that status. */
  changedAt: Date;
}

export abstract class AccountsDirectory {
  /** The user as accounts knows them now; null when there is no such user. */
  abstract lookUp(userId: string): Promise<AccountFacts | null>;

  /** A page of the accounts that are not active, after `afterUserId` (null: the first), by id. */
  abstract restricted(afterUserId: string | null, limit: number): Promise<RestrictedAccount[]>;
}

export class GrpcAccountsDirectory extends AccountsDirectory implements OnModuleDestroy {
  private readonly logger = new Logger('AccountsDirectory');
  private readonly handle: GrpcClientHandle<accountsV1.UsersServiceClient>;

  constructor(address: string, deadlineMs: number) {
    super();
    this.handle = createGrpcClient<accountsV1.UsersServiceClient>(
      platformServiceSpecs.users,
      address,
      { deadlineMs, serviceLabel: 'accounts' },
    );
  }

  async lookUp(userId: string): Promise<AccountFacts | null> {
    try {
      const user = await this.handle.client.getUser({ userId });
      return {
        id: user.id,
        email: user.email,
        brand: user.brand,
        country: user.country || null,
        roles: user.roles,
        status: user.status,
      };
    } catch (error) {
      if (error instanceof ProblemError && [400, 404].includes(error.problem.status)) {
        return null;
      }
      this.logger.warn(`cannot ask accounts about ${userId}: ${String(error)}`);
      throw error;
    }
  }

  async restricted(afterUserId: string | null, limit: number): Promise<RestrictedAccount[]> {
    const page = await this.handle.client.listRestrictedAccounts({
      afterUserId: afterUserId ?? '',
      limit,
    });
    return page.items.map((a) => ({
      userId: a.userId,
      status: a.status,
      changedAt: new Date(a.changedAt),
    }));
  }

  onModuleDestroy(): void {
    this.handle.close();
  }
}

/** The directory over gRPC, for a service's module. */
export function accountsDirectoryProvider(config: {
  ACCOUNTS_GRPC_URL: string;
  GRPC_DEADLINE_MS: number;
}): Provider {
  return {
    provide: AccountsDirectory,
    useFactory: () => new GrpcAccountsDirectory(config.ACCOUNTS_GRPC_URL, config.GRPC_DEADLINE_MS),
  };
}
