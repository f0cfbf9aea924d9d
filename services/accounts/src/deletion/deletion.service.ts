import { Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { DataSource, type EntityManager } from 'typeorm';
import { Clock } from '@fluxnote/clock';
import {
  deletionRequestedV1,
  deletionCompletedV1,
  operationsAlertV1,
  purgingServices,
  type PurgingService,
} from '@fluxnote/contracts';
import { Outbox } from '@fluxnote/messaging';
import { AccountStatus } from '../users/account-status';
import { deletionRows } from './deletion.repository';

const PURGE_WITHIN_MS = 72 * 60 * 60_000;
/** Operations hear about a deletion still incomplete this long before its deadline. */
const ALERT_BEFORE_MS = 12 * 60 * 60_000;

export interface DeletionView {
  deletionId: string;
  purgeBy: Date;
}

/**
 * Account deletion: the account goes to `deleting` (sessions end, services stop
 * taking work), every service is asked to purge, and when all have confirmed
 * accounts deletes its own rows — user, log-ins, devices, tokens, suspensions —
 * leaving only a purge record with no personal data. No soft delete, no archive.
 */
@Injectable()
export class DeletionService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly status: AccountStatus,
    private readonly outbox: Outbox,
    private readonly clock: Clock,
  ) {}

  /** Idempotent: asking again returns the deletion already under way. */
  async request(userId: string): Promise<DeletionView> {
    return this.dataSource.transaction(async (manager) => {
      const user = await this.status.lockUser(manager, userId);
      const existing = await deletionRows.ofUser(manager, userId);
      if (existing) {
        return { deletionId: existing.id, purgeBy: existing.purgeBy };
      }
      const now = this.clock.now();
      const deletion = {
        deletionId: randomUUID(),
        purgeBy: new Date(now.getTime() + PURGE_WITHIN_MS),
      };
      await this.status.change(manager, user, 'deleting', {
        cause: 'deletion',
        reason: 'You asked us to delete your account and all of its data.',
      });
      await deletionRows.insert(manager, {
        id: deletion.deletionId,
        userId,
        requestedAt: now,
        purgeBy: deletion.purgeBy,
      });
      await this.outbox.add(manager, deletionRequestedV1, userId, {
        deletionId: deletion.deletionId,
        userId,
        purgeBy: deletion.purgeBy.toISOString(),
      });
      return deletion;
    });
  }

  /** A service confirmed its purge; the last confirmation completes the deletion. */
  async confirm(
    manager: EntityManager,
    deletionId: string,
    service: PurgingService,
  ): Promise<void> {
    const deletion = await deletionRows.lock(manager, deletionId);
    if (!deletion) {
      return; // already completed
    }
    const confirmed = [...new Set([...deletion.confirmed, service])];
    if (!purgingServices.every((s) => confirmed.includes(s))) {
      await deletionRows.setConfirmed(manager, deletionId, confirmed);
      return;
    }
    const user = await deletionRows.contactOf(manager, deletion.userId);
    await deletionRows.purgeUser(manager, deletionId, deletion.userId);
    await deletionRows.recordPurge(manager, deletion, this.clock.now(), [
      'accounts',
      ...purgingServices,
    ]);
    if (user) {
      await this.outbox.add(manager, deletionCompletedV1, deletionId, {
        deletionId,
        email: user.email,
        brand: user.brand,
        completedAt: this.clock.now().toISOString(),
      });
    }
  }

  /** Raises one operations alert per deletion that is near its deadline and still waiting. */
  async alertNearDeadline(): Promise<number> {
    return this.dataSource.transaction(async (manager) => {
      const now = this.clock.now();
      const rows = await deletionRows.takeUnalertedDueBy(
        manager,
        new Date(now.getTime() + ALERT_BEFORE_MS),
        now,
      );
      for (const row of rows) {
        const waitingFor = purgingServices.filter((s) => !row.confirmed.includes(s));
        await this.outbox.add(manager, operationsAlertV1, row.id, {
          kind: 'purge_deadline',
          severity: row.purgeBy <= now ? 'critical' : 'warning',
          summary: `Account deletion ${row.id} must be purged by ${row.purgeBy.toISOString()}; still waiting for ${waitingFor.join(', ')}.`,
          details: { deletionId: row.id, purgeBy: row.purgeBy.toISOString(), waitingFor },
        });
      }
      return rows.length;
    });
  }
}
