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
      const [existing] = await manager.query<{ id: string; purge_by: Date }[]>(
        `SELECT id, purge_by FROM accounts.deletions WHERE user_id = $1`,
        [userId],
      );
      if (existing) {
        return { deletionId: existing.id, purgeBy: existing.purge_by };
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
      await manager.query(
        `INSERT INTO accounts.deletions (id, user_id, requested_at, purge_by) VALUES ($1, $2, $3, $4)`,
        [deletion.deletionId, userId, now, deletion.purgeBy],
      );
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
    const [row] = await manager.query<
      { user_id: string; requested_at: Date; purge_by: Date; confirmed: string[] }[]
    >(`SELECT * FROM accounts.deletions WHERE id = $1 FOR UPDATE`, [deletionId]);
    if (!row) {
      return; // already completed
    }
    const confirmed = [...new Set([...row.confirmed, service])];
    if (!purgingServices.every((s) => confirmed.includes(s))) {
      await manager.query(`UPDATE accounts.deletions SET confirmed = $2 WHERE id = $1`, [
        deletionId,
        confirmed,
      ]);
      return;
    }
    const userId = row.user_id;
    const [user] = await manager.query<{ email: string; brand: string }[]>(
      `SELECT email, brand FROM accounts.users WHERE id = $1`,
      [userId],
    );
    // Everything keyed by the user: the user row cascades to log-ins, devices,
    // challenges, tokens, suspensions and staff actions.
    // Ended sessions stay ended until their access tokens expire (the gateway may not have pulled
    // them yet); only who they belonged to goes.
    await manager.query(
      `UPDATE accounts.session_revocations SET user_id = NULL WHERE user_id = $1`,
      [userId],
    );
    await manager.query(`DELETE FROM accounts.throttles WHERE key LIKE '%' || $1 || '%'`, [userId]);
    await manager.query(`DELETE FROM accounts.outbox WHERE key = $1`, [userId]);
    await manager.query(`DELETE FROM accounts.deletions WHERE id = $1`, [deletionId]);
    await manager.query(`DELETE FROM accounts.users WHERE id = $1`, [userId]);
    await manager.query(
      `INSERT INTO accounts.purge_records (deletion_id, requested_at, purge_by, completed_at, services)
       VALUES ($1, $2, $3, $4, $5)`,
      [
        deletionId,
        row.requested_at,
        row.purge_by,
        this.clock.now(),
        ['accounts', ...purgingServices],
      ],
    );
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
      const [rows] = await manager.query<
        [{ id: string; purge_by: Date; confirmed: string[] }[], number]
      >(
        `UPDATE accounts.deletions SET alerted_at = $1
          WHERE alerted_at IS NULL AND purge_by <= $2
          RETURNING id, purge_by, confirmed`,
        [now, new Date(now.getTime() + ALERT_BEFORE_MS)],
      );
      for (const row of rows) {
        const waitingFor = purgingServices.filter((s) => !row.confirmed.includes(s));
        await this.outbox.add(manager, operationsAlertV1, row.id, {
          kind: 'purge_deadline',
          severity: row.purge_by <= now ? 'critical' : 'warning',
          summary: `Account deletion ${row.id} must be purged by ${row.purge_by.toISOString()}; still waiting for ${waitingFor.join(', ')}.`,
          details: { deletionId: row.id, purgeBy: row.purge_by.toISOString(), waitingFor },
        });
      }
      return rows.length;
    });
  }
}
