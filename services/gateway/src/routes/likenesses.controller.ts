import { Controller, Param, Query, Req, UseGuards } from '@nestjs/common';
import type { Request } from 'express';
import { ProblemError, type generationV1 } from '@fluxnote/contracts';
import { AuthGuard, CurrentCaller } from '../auth/auth.guard';
import type { Caller } from '../auth/token-verifier';
import { ServiceClients } from '../clients/service-clients';
import { validate } from '../http/validate';
import { clientInfo } from '../http/client-info';
import { RequestLimits } from '../http/request-limits';
import { Endpoint } from '../api/endpoint';
import {
  faceIdentityOperations,
  uploadQuery,
  voiceCloneOperations,
  type LikenessView,
} from './generations.api';

const likenessView = (likeness: generationV1.Likeness): LikenessView => ({
  id: likeness.id,
  name: likeness.name,
  mediaType: likeness.mediaType,
  bytes: likeness.bytes,
  createdAt: likeness.createdAt,
});

/**
 * The routes of one kind of likeness (voice clones, face identities): upload the raw file with
 * its own Content-Type and a `name` query parameter (201), list (newest first), delete (204).
 * Generation checks the bytes, keeps the file private to the caller and destroys it on delete.
 */
function likenessController(
  name: string,
  api: typeof voiceCloneOperations,
  kind: 'voice' | 'face',
  example: string,
): new (clients: ServiceClients, limits: RequestLimits) => object {
  @UseGuards(AuthGuard)
  @Controller()
  class LikenessController {
    constructor(
      private readonly clients: ServiceClients,
      private readonly limits: RequestLimits,
    ) {}

    @Endpoint(api.create)
    async create(
      @CurrentCaller() caller: Caller,
      @Query() query: unknown,
      @Req() request: Request,
    ): Promise<LikenessView> {
      const input = validate(uploadQuery, query);
      await this.limits.take('likeness-upload', {
        address: clientInfo(request).ip,
        userId: caller.id,
      });
      const data: unknown = request.body;
      if (!Buffer.isBuffer(data)) {
        // the raw parser takes only audio/* and image/* bodies; others arrive parsed or empty
        throw new ProblemError({
          type: 'unsupported-media-type',
          title: 'Unsupported media type',
          status: 415,
          detail: `Send the file itself as the body, with its Content-Type (for example ${example}).`,
        });
      }
      const likeness = await this.clients.likenesses.createLikeness({
        userId: caller.id,
        kind,
        name: input.name,
        contentType: request.headers['content-type'] ?? '',
        data,
      });
      return likenessView(likeness);
    }

    @Endpoint(api.list)
    async list(@CurrentCaller() caller: Caller): Promise<{ items: LikenessView[] }> {
      const list = await this.clients.likenesses.listLikenesses({ userId: caller.id, kind });
      return { items: list.items.map(likenessView) };
    }

    @Endpoint(api.delete)
    async delete(@CurrentCaller() caller: Caller, @Param('id') id: string): Promise<void> {
      await this.clients.likenesses.deleteLikeness({ userId: caller.id, kind, id });
    }
  }
  // its own name in logs and in the OpenAPI document's operation ids
  Object.defineProperty(LikenessController, 'name', { value: name });
  return LikenessController;
}

/** The caller's voice clones: a voice sample (MP3, WAV, OGG, FLAC, M4A or WebM audio, up to 3 MB). */
export const VoiceClonesController = likenessController(
  'VoiceClonesController',
  voiceCloneOperations,
  'voice',
  'audio/mpeg',
);

/** The caller's face identities (PuLID): a photo (JPEG, PNG or WebP, up to 3 MB). */
export const FaceIdentitiesController = likenessController(
  'FaceIdentitiesController',
  faceIdentityOperations,
  'face',
  'image/jpeg',
);
