import { Injectable } from '@nestjs/common';
import { ProblemError } from '@fluxnote/contracts';
import {
  evaluateJobOptions,
  evaluateJobRequest,
  type JobRequest,
  type Quote,
  type Refusal,
} from './job-request-rules';
import { defaultModels, findModel, type JobMode, type ModelSpec } from './model-catalog';
import { defaultTemplates, type TemplateSpec } from './template-catalog';

function refusalProblem(refusal: Refusal): ProblemError {
  switch (refusal.kind) {
    case 'invalid':
      return ProblemError.badRequest(refusal.detail, { field: refusal.field });
    case 'region':
      return ProblemError.forbidden(refusal.detail, {
        type: 'model-not-offered-in-region',
        alternatives: refusal.alternatives,
      });
    case 'limit':
      return ProblemError.unprocessable('model-limit', 'Over the model limit', refusal.detail, {
        field: refusal.field,
        limit: refusal.limit,
      });
  }
}

/** The model and template catalog, and the check-and-price step every job goes through. */
@Injectable()
export class CatalogService {
  /** Models offered in a country; a model not offered there is not listed at all. */
  models(country: string | null): ModelSpec[] {
    return defaultModels.filter((m) => !country || !m.unavailableIn.includes(country));
  }

  /** A model by id, wherever it is offered. */
  model(id: string): ModelSpec | undefined {
    return findModel(defaultModels, id);
  }

  templates(): TemplateSpec[] {
    return defaultTemplates;
  }

  /** Checks a request against the model's limits and prices it, or throws the refusal as a problem. */
  evaluate(request: JobRequest): {
    model: ModelSpec;
    mode: JobMode;
    quote: Quote;
    captions: string | null;
  } {
    const template = defaultTemplates.find((t) => t.id === request.template);
    if (request.template !== undefined && !template) {
      throw ProblemError.badRequest(`Unknown template "${request.template}".`, {
        field: 'template',
      });
    }
    const result = evaluateJobRequest(defaultModels, request);
    if (!result.ok) {
      throw refusalProblem(result.refusal);
    }
    const options = evaluateJobOptions(request, result.mode, template);
    if (!options.ok) {
      throw refusalProblem(options.refusal);
    }
    return {
      model: result.model,
      mode: result.mode,
      quote: result.quote,
      captions: options.captions,
    };
  }
}
