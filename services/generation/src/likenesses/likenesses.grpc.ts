import { Controller } from '@nestjs/common';
import { generationV1, ProblemError, requireUuid } from '@fluxnote/contracts';
import { AlsoServedAs } from '@fluxnote/grpc';
import { likenessKinds, type LikenessKind } from './likeness-media';
import { Likenesses, type Likeness } from './likenesses';

function likenessKind(kind: string): LikenessKind {
  if (!(likenessKinds as readonly string[]).includes(kind)) {
    throw ProblemError.badRequest(`kind must be one of ${likenessKinds.join(', ')}.`, {
      field: 'kind',
    });
  }
  return kind as LikenessKind;
}

function toLikeness(likeness: Likeness): generationV1.Likeness {
  return {
    id: likeness.id,
    kind: likeness.kind,
    name: likeness.name,
    mediaType: likeness.mediaType,
    bytes: likeness.bytes,
    createdAt: likeness.createdAt.toISOString(),
  };
}

/** `LikenessesService`: the owner’s voice clones and face identities. */
@Controller()
@AlsoServedAs(generationV1.GENERATION_SERVICE_NAME)
@generationV1.LikenessesServiceControllerMethods()
export class LikenessesGrpcController implements generationV1.LikenessesServiceController {
  constructor(private readonly likenesses: Likenesses) {}

  async createLikeness(
    request: generationV1.CreateLikenessRequest,
  ): Promise<generationV1.Likeness> {
    const userId = requireUuid(request.userId, 'userId');
    const likeness = await this.likenesses.create(
      userId,
      likenessKind(request.kind),
      request.name,
      request.contentType,
      Buffer.from(request.data),
    );
    return toLikeness(likeness);
  }

  async listLikenesses(
    request: generationV1.ListLikenessesRequest,
  ): Promise<generationV1.LikenessList> {
    const userId = requireUuid(request.userId, 'userId');
    const items = await this.likenesses.list(userId, likenessKind(request.kind));
    return { items: items.map(toLikeness) };
  }

  async deleteLikeness(request: generationV1.LikenessRef): Promise<generationV1.DeleteResult> {
    const userId = requireUuid(request.userId, 'userId');
    await this.likenesses.remove(userId, likenessKind(request.kind), request.id);
    return { deleted: 1 };
  }
}
