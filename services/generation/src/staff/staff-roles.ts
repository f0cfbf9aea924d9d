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
      await manager.query(`DELETE FROM generation.staff WHERE user_id = $1`, [event.userId]);
      return;
    }
    await manager.query(
      `INSERT INTO generation.staff (user_id, roles) VALUES ($1, $2)
       ON CONFLICT (user_id) DO UPDATE SET roles = $2`,
      [event.userId, roles],
    );
  }

  async assertRole(userId: string, role: string, action: string): Promise<void> {
    const [row] = await this.dataSource.query<{ roles: string[] }[]>(
      `SELECT roles FROM generation.staff WHERE user_id = $1`,
      [userId],
    );
    if (row?.roles.includes(role)) {
      return;
    }
    const current = await this.owner.lookUp(userId).catch(() => null);
    if (!current?.roles.includes(role)) {
      throw ProblemError.forbidden(`${action} needs the ${role} role.`);
    }
  }
}
