import { Controller, Inject } from '@nestjs/common';
import { isProduction } from '@fluxnote/config';
import { generationV1, ProblemError } from '@fluxnote/contracts';
import { AlsoServedAs } from '@fluxnote/grpc';
import { defaultModels, findModel } from '../catalog/model-catalog';
import { GENERATION_CONFIG, type GenerationConfig } from '../config/generation.config';
import { ModelSimulator } from '../simulator/model-simulator';
import { simulatedFailures, type SimulatedFailure } from '../simulator/simulator-model.entity';
import { ProviderWebhooks } from './provider-webhooks';

/** `ProvidersService`: a provider’s signed task delivery, and the built-in simulator’s controls. */
@Controller()
@AlsoServedAs(generationV1.GENERATION_SERVICE_NAME)
@generationV1.ProvidersServiceControllerMethods()
export class ProvidersGrpcController implements generationV1.ProvidersServiceController {
  constructor(
    private readonly providerWebhooks: ProviderWebhooks,
    private readonly simulator: ModelSimulator,
    @Inject(GENERATION_CONFIG) private readonly config: GenerationConfig,
  ) {}

  async receiveProviderWebhook(
    request: generationV1.ProviderWebhook,
  ): Promise<generationV1.ProviderWebhookResult> {
    return this.providerWebhooks.receive(Buffer.from(request.payload), request.signature);
  }

  async setSimulatorModel(
    request: generationV1.SetSimulatorModelRequest,
  ): Promise<generationV1.SimulatorModel> {
    if (isProduction(this.config)) {
      throw ProblemError.forbidden('The model simulator is not available in production mode.');
    }
    if (!findModel(defaultModels, request.model)) {
      throw ProblemError.notFound(`Unknown model "${request.model}".`);
    }
    const failure = request.failure ?? null;
    if (failure !== null && !(simulatedFailures as readonly string[]).includes(failure)) {
      throw ProblemError.badRequest(
        `failure must be null or one of ${simulatedFailures.join(', ')}.`,
        { field: 'failure' },
      );
    }
    if (request.latencyMs !== undefined && (request.latencyMs < 0 || request.latencyMs > 900_000)) {
      throw ProblemError.badRequest('latencyMs must be between 0 and 900000.', {
        field: 'latencyMs',
      });
    }
    const saved = await this.simulator.configure(
      request.model,
      failure as SimulatedFailure | null,
      request.latencyMs ?? null,
    );
    return {
      model: saved.model,
      failure: saved.failure ?? undefined,
      latencyMs: saved.latencyMs ?? this.config.SIMULATOR_DEFAULT_LATENCY_MS,
    };
  }
}
