import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import {
  ProblemError,
  userRegisteredV1,
  userRolesChangedV1,
  type EventPayload,
} from '@fluxnote/contracts';
import { EventConsumer, type EventRouter } from '@fluxnote/messaging';
import { AccountsDirectory } from '@fluxnote/platform';
import { staffRows } from './staff.repository';

/**
 * Who is staff, from accounts' registration events (plain users are not kept):
 * admin actions are checked here too, not only at the gateway. A role granted a
 * moment ago may not have arrived: the copy allows on its own, and asks accounts
 * once before it refuses.
 */
@Injectable()
export class StaffRoles extends EventConsumer {
  readonly group = 'generation.staff';

  constructor(
    private readonly dataSource: DataSource,
    private readonly owner: AccountsDirectory,
  ) {
    super();
  }

  register(router: EventRouter): void {
    router
      .on(userRegisteredV1, (event, { manager }) => this.keep(manager, event))
      .on(userRolesChangedV1, (event, { manager }) => this.keep(manager, event));
  }

  private async keep(
    manager: EntityManager,
    event: Pick<EventPayload<typeof userRegisteredV1>, 'userId' | 'roles'>,
  ): Promise<void> {
    const roles = (event.roles ?? []).filter((r) => r !== 'user');
    if (roles.length === 0) {
      await staffRows.remove(manager, event.userId);
      return;
    }
    await staffRows.put(manager, event.userId, roles);
  }

  async assertRole(userId: string, role: string, action: string): Promise<void> {
    if ((await staffRows.roles(this.dataSource, userId))?.includes(role)) {
      return;
    }
    const current = await this.owner.lookUp(userId).catch(() => null);
    if (!current?.roles.includes(role)) {
      throw ProblemError.forbidden(`${action} needs the ${role} role.`);
    }
  }
}
