import { Controller } from '@nestjs/common';
import { generationV1, requireUuid } from '@fluxnote/contracts';
import { AlsoServedAs } from '@fluxnote/grpc';
import { jobRequest } from '../jobs/job-messages';
import { Likenesses } from '../likenesses/likenesses';
import { CatalogService } from './catalog.service';

/** `CatalogService`: the models a country is offered, the templates, and the price of a job. */
@Controller()
@AlsoServedAs(generationV1.GENERATION_SERVICE_NAME)
@generationV1.CatalogServiceControllerMethods()
export class CatalogGrpcController implements generationV1.CatalogServiceController {
  constructor(
    private readonly catalog: CatalogService,
    private readonly likenesses: Likenesses,
  ) {}

  listModels(request: generationV1.ListModelsRequest): generationV1.ModelList {
    return {
      models: this.catalog.models(request.country || null).map((m) => ({
        id: m.id,
        name: m.name,
        modes: m.modes,
        internalCostPerSecond: m.internalCostPerSecond,
        maxDurationSec: m.maxDurationSec,
        defaultDurationSec: m.defaultDurationSec,
        maxPromptLength: m.maxPromptLength,
        aspectRatios: m.aspectRatios,
      })),
    };
  }

  listTemplates(): generationV1.TemplateList {
    return { templates: this.catalog.templates() };
  }

  async quoteJob(request: generationV1.SubmitJobRequest): Promise<generationV1.JobQuote> {
    const { quote } = this.catalog.evaluate(jobRequest(request));
    // a quote prices only the caller's own voice clone and face identity
    await this.likenesses.assertJobUses(requireUuid(request.userId, 'userId'), {
      voiceCloneId: request.options?.voiceCloneId || undefined,
      faceIdentityId: request.options?.faceIdentityId || undefined,
    });
    return {
      credits: { video: quote.videoCredits, image: quote.imageCredits },
      internalCost: quote.internalCost,
      durationSec: quote.durationSec,
      aspectRatio: quote.aspectRatio,
    };
  }
}
