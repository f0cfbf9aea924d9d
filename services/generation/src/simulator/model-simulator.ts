import { Inject, Injectable } from '@nestjs/common';
import { setTimeout as sleep } from 'node:timers/promises';
import { DataSource } from 'typeorm';
import { GENERATION_CONFIG, type GenerationConfig } from '../config/generation.config';
import {
  ModelProvider,
  type ProviderRequest,
  type ProviderResult,
} from '../providers/model-provider';
import type { SimulatorModelEntity, SimulatedFailure } from './simulator-model.entity';
import { simulatorRows } from './simulator.repository';

/**
 * The built-in model simulator (embedded mode): answers like a provider after a
 * configurable latency, or fails the way operations told it to.
 */
@Injectable()
export class ModelSimulator extends ModelProvider {
  readonly name = 'simulator';

  constructor(
    private readonly dataSource: DataSource,
    @Inject(GENERATION_CONFIG) private readonly config: GenerationConfig,
  ) {
    super();
  }

  async run(request: ProviderRequest): Promise<ProviderResult> {
    const settings = await simulatorRows.settings(this.dataSource, request.model);
    await sleep(settings?.latencyMs ?? this.config.SIMULATOR_DEFAULT_LATENCY_MS);
    const failure = settings?.failure;
    if (failure) {
      return failureResult(failure);
    }
    const extension = request.mode === 'text-to-image' ? 'png' : 'mp4';
    return { ok: true, outputUrl: `simulator://${request.model}/${request.jobId}.${extension}` };
  }

  async configure(
    model: string,
    failure: SimulatedFailure | null,
    latencyMs: number | null,
  ): Promise<SimulatorModelEntity> {
    return simulatorRows.put(this.dataSource, { model, failure, latencyMs });
  }
}

function failureResult(failure: SimulatedFailure): ProviderResult {
  switch (failure) {
    case 'provider_5xx':
      return {
        ok: false,
        reason: 'provider_5xx',
        transient: true,
        detail: 'The model provider answered 503 Service Unavailable.',
      };
    case 'timeout':
      return {
        ok: false,
        reason: 'timeout',
        transient: true,
        detail: 'The model did not answer in time.',
      };
    case 'crash':
      return {
        ok: false,
        reason: 'crash',
        transient: false,
        detail: 'The model crashed while generating.',
      };
    case 'output_blocked':
      return {
        ok: false,
        reason: 'output_blocked',
        transient: false,
        detail: 'The provider’s moderation withheld the generated output.',
      };
  }
}
