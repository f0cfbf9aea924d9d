import type { EntityManager } from 'typeorm';
import type { Sql } from '@fluxnote/persistence';

/** A deletion under way: asked for, due, and the services that confirmed their purge. */
export interface Deletion {
  id: string;
  userId: string;
  requestedAt: Date;
  purgeBy: Date;
  confirmed: string[];
}

interface DeletionRow {
  id: string;
  user_id: string;
  requested_at: Date;
  purge_by: Date;
  confirmed: string[];
}

const toDeletion = (r: DeletionRow): Deletion => ({
  id: r.id,
  userId: r.user_id,
  requestedAt: r.requested_at,
  purgeBy: r.purge_by,
  confirmed: r.confirmed,
});

/**
 * The rows of `accounts.deletions` and `accounts.purge_records`, and the purge of a user's own
 * rows in accounts: reads and writes only. When a deletion is complete is deletion.service.ts.
 */
export const deletionRows = {
  async ofUser(manager: EntityManager, userId: string): Promise<Deletion | undefined> {
    const [row] = await manager.query<DeletionRow[]>(
      `SELECT * FROM accounts.deletions WHERE user_id = $1`,
      [userId],
    );
    return row && toDeletion(row);
  },

  async insert(manager: EntityManager, d: Omit<Deletion, 'confirmed'>): Promise<void> {
    await manager.query(
      `INSERT INTO accounts.deletions (id, user_id, requested_at, purge_by) VALUES ($1, $2, $3, $4)`,
      [d.id, d.userId, d.requestedAt, d.purgeBy],
    );
  },

  /** The deletion, locked until the transaction ends; undefined once it completed. */
  async lock(manager: EntityManager, id: string): Promise<Deletion | undefined> {
    const [row] = await manager.query<DeletionRow[]>(
      `SELECT * FROM accounts.deletions WHERE id = $1 FOR UPDATE`,
      [id],
    );
    return row && toDeletion(row);
  },

  async setConfirmed(manager: EntityManager, id: string, confirmed: string[]): Promise<void> {
    await manager.query(`UPDATE accounts.deletions SET confirmed = $2 WHERE id = $1`, [
      id,
      confirmed,
    ]);
  },

  /** Marks alerted the deletions due by `dueBy` not alerted yet, and answers them. */
  async takeUnalertedDueBy(manager: EntityManager, dueBy: Date, at: Date): Promise<Deletion[]> {
    const [rows] = await manager.query<[DeletionRow[], number]>(
      `UPDATE accounts.deletions SET alerted_at = $1
        WHERE alerted_at IS NULL AND purge_by <= $2
        RETURNING *`,
      [at, dueBy],
    );
    return rows.map(toDeletion);
  },

  /** Where the completion notice goes; undefined when the user row is gone. */
  async contactOf(
    manager: EntityManager,
    userId: string,
  ): Promise<{ email: string; brand: string } | undefined> {
    const [user] = await manager.query<{ email: string; brand: string }[]>(
      `SELECT email, brand FROM accounts.users WHERE id = $1`,
      [userId],
    );
    return user;
  },

  /**
   * Deletes everything accounts keeps of the user and the deletion itself. The user row
   * cascades to log-ins, devices, challenges, tokens, suspensions and staff actions. Ended
   * sessions stay ended until their access tokens expire (the gateway may not have pulled
   * them yet); only who they belonged to goes.
   */
  async purgeUser(manager: EntityManager, deletionId: string, userId: string): Promise<void> {
    await manager.query(
      `UPDATE accounts.session_revocations SET user_id = NULL WHERE user_id = $1`,
      [userId],
    );
    await manager.query(`DELETE FROM accounts.throttles WHERE key LIKE '%' || $1 || '%'`, [userId]);
    await manager.query(`DELETE FROM accounts.outbox WHERE key = $1`, [userId]);
    await manager.query(`DELETE FROM accounts.deletions WHERE id = $1`, [deletionId]);
    await manager.query(`DELETE FROM accounts.users WHERE id = $1`, [userId]);
  },

  /** The record a completed deletion leaves: when, and who purged, with no personal data. */
  async recordPurge(
    manager: EntityManager,
    deletion: Deletion,
    completedAt: Date,
    services: string[],
  ): Promise<void> {
    await manager.query(
      `INSERT INTO accounts.purge_records (deletion_id, requested_at, purge_by, completed_at, services)
       VALUES ($1, $2, $3, $4, $5)`,
      [deletion.id, deletion.requestedAt, deletion.purgeBy, completedAt, services],
    );
  },
};

export interface PendingPurges {
  pending: number;
  /** The nearest deadlines (at most 100: the alert needs only the nearest). */
  deadlines: { deletionId: string; purgeBy: Date }[];
}

/** Deletions not purged everywhere yet, and their deadlines, nearest first. */
export async function pendingPurges(sql: Sql): Promise<PendingPurges> {
  const [count] = await sql.query<{ pending: number }[]>(
    `SELECT count(*)::int AS pending FROM accounts.deletions`,
  );
  const rows = await sql.query<{ id: string; purge_by: Date }[]>(
    `SELECT id, purge_by FROM accounts.deletions ORDER BY purge_by LIMIT 100`,
  );
  return {
    pending: count.pending,
    deadlines: rows.map((r) => ({ deletionId: r.id, purgeBy: r.purge_by })),
  };
}
