import { IsNull, type EntityManager } from 'typeorm';
import type { Sql } from '@fluxnote/persistence';
import { UserEntity, type Role, type UserStatus } from './user.entity';

/**
 * The rows of `accounts.users`: reads and writes only. Who may hold a session, change a role
 * or move an account between statuses is decided beside the callers (account-status.ts,
 * staff-actions.service.ts, the security folder).
 */
export const userRows = {
  async find(sql: Sql, id: string): Promise<UserEntity | null> {
    return sql.getRepository(UserEntity).findOneBy({ id });
  },

  /** By email, as stored (lower case). */
  async byEmail(sql: Sql, email: string): Promise<UserEntity | null> {
    return sql.getRepository(UserEntity).findOneBy({ email });
  },

  async byGoogleSubject(sql: Sql, googleSubject: string): Promise<UserEntity | null> {
    return sql.getRepository(UserEntity).findOneBy({ googleSubject });
  },

  /** The user locked until the transaction ends. */
  async lock(manager: EntityManager, id: string): Promise<UserEntity | null> {
    return manager
      .getRepository(UserEntity)
      .findOne({ where: { id }, lock: { mode: 'pessimistic_write' } });
  },

  /** By email, locked until the transaction ends. */
  async lockByEmail(manager: EntityManager, email: string): Promise<UserEntity | null> {
    return manager
      .getRepository(UserEntity)
      .findOne({ where: { email }, lock: { mode: 'pessimistic_write' } });
  },

  async insert(manager: EntityManager, user: Omit<UserEntity, 'createdAt'>): Promise<UserEntity> {
    return manager.save(manager.create(UserEntity, user));
  },

  async setStatus(manager: EntityManager, id: string, status: UserStatus, at: Date): Promise<void> {
    await manager.query(
      `UPDATE accounts.users SET status = $2, status_changed_at = $3 WHERE id = $1`,
      [id, status, at],
    );
  },

  async setRoles(manager: EntityManager, id: string, roles: Role[]): Promise<void> {
    await manager.query(`UPDATE accounts.users SET roles = $2 WHERE id = $1`, [id, roles]);
  },

  async setPasswordHash(manager: EntityManager, id: string, passwordHash: string): Promise<void> {
    await manager.query(`UPDATE accounts.users SET password_hash = $2 WHERE id = $1`, [
      id,
      passwordHash,
    ]);
  },

  /** Links the Google account if the user has none linked yet; false when one was linked first. */
  async linkGoogle(sql: Sql, id: string, googleSubject: string): Promise<boolean> {
    const link = await sql
      .getRepository(UserEntity)
      .update({ id, googleSubject: IsNull() }, { googleSubject });
    return Boolean(link.affected);
  },

  /** Accounts locked, frozen or suspended after `afterUserId`, in id order, with since when. */
  async restricted(
    sql: Sql,
    afterUserId: string | null,
    limit: number,
  ): Promise<{ userId: string; status: string; changedAt: Date }[]> {
    const rows = await sql.query<{ id: string; status: string; changed_at: Date }[]>(
      `SELECT id, status, coalesce(status_changed_at, created_at) AS changed_at FROM accounts.users
        WHERE status IN ('locked', 'frozen', 'suspended') AND ($1::uuid IS NULL OR id > $1::uuid)
        ORDER BY id LIMIT $2`,
      [afterUserId, limit],
    );
    return rows.map((r) => ({ userId: r.id, status: r.status, changedAt: r.changed_at }));
  },
};
