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
import { likenessRows, type Likeness, type LikenessMedia } from './likenesses.repository';

export type { Likeness, LikenessMedia } from './likenesses.repository';

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
      await likenessRows.lockUploads(manager, userId, kind);
      if ((await likenessRows.count(manager, userId, kind)) >= likenessesPerUser) {
        throw ProblemError.conflict(
          `You have ${likenessesPerUser} ${names.many}, the most one account keeps. Delete one to add another.`,
        );
      }
      return likenessRows.insert(manager, {
        id: randomUUID(),
        userId,
        kind,
        name: trimmed,
        media: { mediaType: media.mediaType, data },
      });
    });
  }

  /** The user's likenesses of a kind, newest first. */
  async list(userId: string, kind: LikenessKind): Promise<Likeness[]> {
    return likenessRows.ofUser(this.dataSource, userId, kind);
  }

  /** Destroys the likeness and its data; refused (409) while a job using it waits or runs. */
  async remove(userId: string, kind: LikenessKind, id: string): Promise<void> {
    const names = likenessNames[kind];
    await this.dataSource.transaction(async (manager) => {
      // The row lock waits for a submit naming this likeness to commit (its foreign key holds a
      // share lock), so the check below sees that job; a later submit finds the likeness gone.
      if (!isUuid(id) || !(await likenessRows.lockOwn(manager, userId, kind, id))) {
        throw ProblemError.notFound(`No ${names.one} with this id.`);
      }
      const busy = await likenessRows.unfinishedJobUsing(manager, id);
      if (busy) {
        throw ProblemError.conflict(
          `This ${names.one} is used by a job that has not finished yet; cancel the job or wait for it, then delete.`,
          { jobId: busy },
        );
      }
      await likenessRows.remove(manager, id);
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
    if (!isUuid(id) || !(await likenessRows.isOwn(this.dataSource, userId, kind, id))) {
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
    return likenessRows.media(this.dataSource, id);
  }
}
