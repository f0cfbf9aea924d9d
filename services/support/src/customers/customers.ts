import { Injectable, Logger } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { AccountsDirectory } from '@fluxnote/platform';
import type { SupportPlan } from '../sla/sla-clock';
import { customerRows } from './customers.repository';

/** Billing, the owner of a customer's plan (GrpcPlatformServices answers it over gRPC). */
export abstract class CurrentPlans {
  /** The plan billing has the customer on now. */
  abstract currentPlan(userId: string): Promise<string>;
}

/**
 * The brand and plan of support's copy of a customer, in the caller's transaction (tickets opened
 * from events: no owner is asked); Free on the default brand while the copy has not arrived.
 */
export async function copiedCustomer(
  manager: EntityManager,
  userId: string,
): Promise<{ brand: string; plan: SupportPlan }> {
  const copy = await customerRows.copy(manager, userId);
  return { brand: copy?.brand ?? 'fluxnote', plan: (copy?.plan as SupportPlan) ?? 'free' };
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
    private readonly plans: CurrentPlans,
    private readonly accounts: AccountsDirectory,
  ) {}

  /** The brand and plan a new ticket is routed by. */
  async forTicket(userId: string): Promise<{ brand: string; plan: string }> {
    const copy = await customerRows.copy(this.dataSource, userId);
    const plan = this.plans.currentPlan(userId).catch((error: unknown) => {
      this.logger.warn(
        `billing did not say ${userId}'s plan; using the last one heard: ${String(error)}`,
      );
      return copy?.plan ?? 'free';
    });
    const brand = copy
      ? copy.brand
      : await this.accounts
          .lookUp(userId)
          .then((account) => account?.brand ?? 'fluxnote')
          .catch(() => 'fluxnote');
    return { brand, plan: await plan };
  }

  /** The person's roles: the copy's when it grants one of `wanted`, else accounts' answer. */
  async rolesOf(userId: string, wanted: readonly string[]): Promise<string[]> {
    const copy = await customerRows.copy(this.dataSource, userId);
    if (copy?.roles.some((role) => wanted.includes(role))) {
      return copy.roles;
    }
    const current = await this.accounts.lookUp(userId).catch(() => null);
    return current?.roles ?? copy?.roles ?? [];
  }
}
