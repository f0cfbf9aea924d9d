import { Inject, Injectable, Logger, type OnModuleDestroy } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { accountsV1, billingPaymentsV1 } from '@fluxnote/contracts';
import { GrpcClientSet, platformServiceSpecs, type PromiseClient } from '@fluxnote/grpc';
import { SUPPORT_CONFIG, type SupportConfig } from '../config/support.config';

/** The owners of what support keeps of a customer: billing (the plan) and accounts (brand, roles). */
export abstract class CustomerOwners {
  /** The plan billing has the customer on now. */
  abstract currentPlan(userId: string): Promise<string>;
  /** The person as accounts knows them now; null when there is no such user. */
  abstract account(userId: string): Promise<{ brand: string; roles: string[] } | null>;
}

@Injectable()
export class GrpcCustomerOwners extends CustomerOwners implements OnModuleDestroy {
  private readonly clients: GrpcClientSet;
  private readonly accounts: PromiseClient<accountsV1.AccountsServiceClient>;
  private readonly payments: PromiseClient<billingPaymentsV1.PaymentsServiceClient>;

  constructor(@Inject(SUPPORT_CONFIG) config: SupportConfig) {
    super();
    this.clients = new GrpcClientSet(config.GRPC_DEADLINE_MS);
    const specs = platformServiceSpecs;
    this.accounts = this.clients.open(specs.accounts, config.ACCOUNTS_GRPC_URL, 'accounts');
    this.payments = this.clients.open(specs.payments, config.BILLING_GRPC_URL, 'billing');
  }

  async currentPlan(userId: string): Promise<string> {
    return (await this.payments.getSubscription({ userId })).plan;
  }

  async account(userId: string): Promise<{ brand: string; roles: string[] } | null> {
    const user = await this.accounts.getUser({ userId }).catch((error: unknown) => {
      if ((error as { problem?: { status?: number } }).problem?.status === 404) {
        return null;
      }
      throw error;
    });
    return user && { brand: user.brand, roles: user.roles };
  }

  onModuleDestroy(): void {
    this.clients.close();
  }
}

/**
 * What support knows of a customer. The `support.customers` copy is kept from
 * events, which can arrive after the customer's next request: a ticket opened
 * right after subscribing to Max must already get Max's target and the PRIORITY
 * tag, and one opened right after sign-up must not wait for the registration.
 * So a ticket takes its plan from billing, and a copy that would refuse an
 * agent asks accounts first. If an owner cannot be reached, the copy decides.
 */
@Injectable()
export class Customers {
  private readonly logger = new Logger('Customers');

  constructor(
    private readonly dataSource: DataSource,
    private readonly owners: CustomerOwners,
  ) {}

  /** The brand and plan a new ticket is routed by. */
  async forTicket(userId: string): Promise<{ brand: string; plan: string }> {
    const [copy] = await this.dataSource.query<{ brand: string; plan: string }[]>(
      `SELECT brand, plan FROM support.customers WHERE user_id = $1`,
      [userId],
    );
    const plan = this.owners.currentPlan(userId).catch((error: unknown) => {
      this.logger.warn(
        `billing did not say ${userId}'s plan; using the last one heard: ${String(error)}`,
      );
      return copy?.plan ?? 'free';
    });
    const brand = copy
      ? copy.brand
      : await this.owners
          .account(userId)
          .then((account) => account?.brand ?? 'fluxnote')
          .catch(() => 'fluxnote');
    return { brand, plan: await plan };
  }

  /** The person's roles: the copy's when it grants one of `wanted`, else accounts' answer. */
  async rolesOf(userId: string, wanted: readonly string[]): Promise<string[]> {
    const [copy] = await this.dataSource.query<{ roles: string[] }[]>(
      `SELECT roles FROM support.customers WHERE user_id = $1`,
      [userId],
    );
    if (copy?.roles.some((role) => wanted.includes(role))) {
      return copy.roles;
    }
    const current = await this.owners.account(userId).catch(() => null);
    return current?.roles ?? copy?.roles ?? [];
  }
}
