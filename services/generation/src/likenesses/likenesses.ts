import { Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { isUuid, ProblemError } from '@fluxnote/contracts';
import {
  checkLikenessMedia,
  likenessesPerUser,
  likenessNames,
  type LikenessKind,
} from './likeness-media';

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

/** Where a job names its likenesses (as the gateway's body has them). */
export const likenessFields = {
  voice: 'options.voiceClone',
  face: 'options.faceIdentity',
} as const satisfies Record<LikenessKind, string>;

/**
 * A user's voice clones and face identities: the sample or photo they uploaded, used by
 * their own jobs only. Another user's likeness is reported as not found. Deleting one
 * destroys the data; it is refused while a job that uses it waits or runs.
 */
@Injectable()
export class Likenesses {
  constructor(private readonly dataSource: DataSource) {}

  async create(
    userId: string,
    kind: LikenessKind,
    name: string,
    contentType: string,
    data: Buffer,
  ): Promise<Likeness> {
    const names = likenessNames[kind];
    const trimmed = name.trim();
    if (!trimmed || trimmed.length > 100) {
      throw ProblemError.badRequest(`A ${names.one} needs a name of 1 to 100 characters.`, {
        field: 'name',
      });
    }
    const media = checkLikenessMedia(kind, contentType, data);
    if (!media.ok) {
      throw media.status === 415
        ? new ProblemError({
            type: 'unsupported-media-type',
            title: 'Unsupported media type',
            status: 415,
            detail: media.detail,
          })
        : ProblemError.unprocessable('invalid-media', 'Not a usable file', media.detail);
    }
    return this.dataSource.transaction(async (manager) => {
      // One user's uploads of a kind queue here, so racing uploads cannot pass the cap together.
      await manager.query(`SELECT pg_advisory_xact_lock(hashtext('generation.likeness:' || $1))`, [
        `${userId}:${kind}`,
      ]);
      const [{ count }] = await manager.query<{ count: string }[]>(
        `SELECT count(*) FROM generation.likenesses WHERE user_id = $1 AND kind = $2`,
        [userId, kind],
      );
      if (Number(count) >= likenessesPerUser) {
        throw ProblemError.conflict(
          `You have ${likenessesPerUser} ${names.many}, the most one account keeps. Delete one to add another.`,
        );
      }
      const [row] = await manager.query<LikenessRow[]>(
        `INSERT INTO generation.likenesses (id, user_id, kind, name, media_type, data)
         VALUES ($1, $2, $3, $4, $5, $6) RETURNING ${columns}`,
        [randomUUID(), userId, kind, trimmed, media.mediaType, data],
      );
      return toLikeness(row);
    });
  }

  /** The user's likenesses of a kind, newest first. */
  async list(userId: string, kind: LikenessKind): Promise<Likeness[]> {
    const rows = await this.dataSource.query<LikenessRow[]>(
      `SELECT ${columns} FROM generation.likenesses WHERE user_id = $1 AND kind = $2
        ORDER BY created_at DESC, id DESC`,
      [userId, kind],
    );
    return rows.map(toLikeness);
  }

  /** Destroys the likeness and its data; refused (409) while a job using it waits or runs. */
  async remove(userId: string, kind: LikenessKind, id: string): Promise<void> {
    const names = likenessNames[kind];
    await this.dataSource.transaction(async (manager) => {
      // The row lock waits for a submit naming this likeness to commit (its foreign key holds a
      // share lock), so the check below sees that job; a later submit finds the likeness gone.
      const found = isUuid(id)
        ? await manager.query<{ id: string }[]>(
            `SELECT id FROM generation.likenesses WHERE id = $1 AND user_id = $2 AND kind = $3 FOR UPDATE`,
            [id, userId, kind],
          )
        : [];
      if (found.length === 0) {
        throw ProblemError.notFound(`No ${names.one} with this id.`);
      }
      const [busy] = await manager.query<{ id: string }[]>(
        `SELECT id FROM generation.jobs
          WHERE (voice_clone_id = $1 OR face_identity_id = $1)
            AND status IN ('reserving', 'queued', 'processing')
          LIMIT 1`,
        [id],
      );
      if (busy) {
        throw ProblemError.conflict(
          `This ${names.one} is used by a job that has not finished yet; cancel the job or wait for it, then delete.`,
          { jobId: busy.id },
        );
      }
      await manager.query(`DELETE FROM generation.likenesses WHERE id = $1`, [id]);
    });
  }

  /** Refuses (422) a job naming a voice clone or face identity that is not the user's. */
  async assertJobUses(
    userId: string,
    ids: { voiceCloneId?: string; faceIdentityId?: string },
  ): Promise<void> {
    if (ids.voiceCloneId) {
      await this.assertOwned(userId, 'voice', ids.voiceCloneId, likenessFields.voice);
    }
    if (ids.faceIdentityId) {
      await this.assertOwned(userId, 'face', ids.faceIdentityId, likenessFields.face);
    }
  }

  /**
   * Refuses (422, naming `field`) a likeness id that is not one of the user's of this kind;
   * a job is about to name it.
   */
  async assertOwned(userId: string, kind: LikenessKind, id: string, field: string): Promise<void> {
    const [row] = isUuid(id)
      ? await this.dataSource.query<{ id: string }[]>(
          `SELECT id FROM generation.likenesses WHERE id = $1 AND user_id = $2 AND kind = $3`,
          [id, userId, kind],
        )
      : [];
    if (!row) {
      throw this.missing(kind, field);
    }
  }

  /** The refusal for a job naming a likeness that is not (or no longer) the user's. */
  missing(kind: LikenessKind, field: string): ProblemError {
    return ProblemError.unprocessable(
      'unknown-likeness',
      `Unknown ${likenessNames[kind].one}`,
      `You have no ${likenessNames[kind].one} with this id.`,
      { field },
    );
  }

  /** The sample or photo a provider needs, or undefined when it was deleted. */
  async media(id: string): Promise<LikenessMedia | undefined> {
    const [row] = await this.dataSource.query<{ media_type: string; data: Buffer }[]>(
      `SELECT media_type, data FROM generation.likenesses WHERE id = $1`,
      [id],
    );
    return row ? { mediaType: row.media_type, data: row.data } : undefined;
  }
}
