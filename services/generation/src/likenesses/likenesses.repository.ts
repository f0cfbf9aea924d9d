import type { EntityManager } from 'typeorm';
import type { Sql } from '@fluxnote/persistence';
import type { LikenessKind } from './likeness-media';

export interface Likeness {
  id: string;
  kind: LikenessKind;
  name: string;
  mediaType: string;
  bytes: number;
  createdAt: Date;
}

/** What a provider is given to use a likeness. */
export interface LikenessMedia {
  mediaType: string;
  data: Buffer;
}

interface LikenessRow {
  id: string;
  kind: LikenessKind;
  name: string;
  media_type: string;
  bytes: number;
  created_at: Date;
}

const columns = `id, kind, name, media_type, octet_length(data) AS bytes, created_at`;

const toLikeness = (row: LikenessRow): Likeness => ({
  id: row.id,
  kind: row.kind,
  name: row.name,
  mediaType: row.media_type,
  bytes: Number(row.bytes),
  createdAt: row.created_at,
});

/**
 * The rows of `generation.likenesses` (voice clones and face identities, with their media):
 * reads and writes only. What may be uploaded, and when one may be deleted, is likenesses.ts.
 */
export const likenessRows = {
  /** One user's uploads of a kind queue behind each other until the transaction ends. */
  async lockUploads(manager: EntityManager, userId: string, kind: LikenessKind): Promise<void> {
    await manager.query(`SELECT pg_advisory_xact_lock(hashtext('generation.likeness:' || $1))`, [
      `${userId}:${kind}`,
    ]);
  },

  async count(sql: Sql, userId: string, kind: LikenessKind): Promise<number> {
    const [{ count }] = await sql.query<{ count: string }[]>(
      `SELECT count(*) FROM generation.likenesses WHERE user_id = $1 AND kind = $2`,
      [userId, kind],
    );
    return Number(count);
  },

  async insert(
    manager: EntityManager,
    l: { id: string; userId: string; kind: LikenessKind; name: string; media: LikenessMedia },
  ): Promise<Likeness> {
    const [row] = await manager.query<LikenessRow[]>(
      `INSERT INTO generation.likenesses (id, user_id, kind, name, media_type, data)
       VALUES ($1, $2, $3, $4, $5, $6) RETURNING ${columns}`,
      [l.id, l.userId, l.kind, l.name, l.media.mediaType, l.media.data],
    );
    return toLikeness(row);
  },

  /** The user's likenesses of a kind, newest first (without their media). */
  async ofUser(sql: Sql, userId: string, kind: LikenessKind): Promise<Likeness[]> {
    const rows = await sql.query<LikenessRow[]>(
      `SELECT ${columns} FROM generation.likenesses WHERE user_id = $1 AND kind = $2
        ORDER BY created_at DESC, id DESC`,
      [userId, kind],
    );
    return rows.map(toLikeness);
  },

  async isOwn(sql: Sql, userId: string, kind: LikenessKind, id: string): Promise<boolean> {
    const rows = await sql.query<unknown[]>(
      `SELECT id FROM generation.likenesses WHERE id = $1 AND user_id = $2 AND kind = $3`,
      [id, userId, kind],
    );
    return rows.length > 0;
  },

  /** Locks the user's likeness until the transaction ends; false when it is not theirs. */
  async lockOwn(
    manager: EntityManager,
    userId: string,
    kind: LikenessKind,
    id: string,
  ): Promise<boolean> {
    const rows = await manager.query<unknown[]>(
      `SELECT id FROM generation.likenesses WHERE id = $1 AND user_id = $2 AND kind = $3 FOR UPDATE`,
      [id, userId, kind],
    );
    return rows.length > 0;
  },

  /** A job using the likeness that has not finished, if any. */
  async unfinishedJobUsing(sql: Sql, id: string): Promise<string | undefined> {
    const [row] = await sql.query<{ id: string }[]>(
      `SELECT id FROM generation.jobs
        WHERE (voice_clone_id = $1 OR face_identity_id = $1)
          AND status IN ('reserving', 'queued', 'processing')
        LIMIT 1`,
      [id],
    );
    return row?.id;
  },

  async remove(sql: Sql, id: string): Promise<void> {
    await sql.query(`DELETE FROM generation.likenesses WHERE id = $1`, [id]);
  },

  async media(sql: Sql, id: string): Promise<LikenessMedia | undefined> {
    const [row] = await sql.query<{ media_type: string; data: Buffer }[]>(
      `SELECT media_type, data FROM generation.likenesses WHERE id = $1`,
      [id],
    );
    return row ? { mediaType: row.media_type, data: row.data } : undefined;
  },
};
