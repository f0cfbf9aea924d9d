import { Inject, Injectable } from '@nestjs/common';
import { GENERATION_CONFIG, type GenerationConfig } from '../config/generation.config';
import { ModelSimulator } from '../simulator/model-simulator';
import { HttpModelProvider } from './http-model-provider';
import type { ModelProvider } from './model-provider';

/**
 * Which adapter runs a model: the HTTP provider for the models routed to it
 * (`MODEL_PROVIDER_URL` with `MODEL_PROVIDER_MODELS`), the built-in simulator for the rest.
 */
@Injectable()
export class ModelProviders {
  constructor(
    private readonly simulator: ModelSimulator,
    private readonly http: HttpModelProvider,
    @Inject(GENERATION_CONFIG) private readonly config: GenerationConfig,
  ) {}

  for(model: string): ModelProvider {
    return this.config.MODEL_PROVIDER_URL && this.config.MODEL_PROVIDER_MODELS.includes(model)
      ? this.http
      : this.simulator;
  }
}
