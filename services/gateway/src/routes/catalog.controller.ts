import { Controller, UseGuards } from '@nestjs/common';
import type { generationV1 } from '@fluxnote/contracts';
import { AuthGuard, CurrentCaller } from '../auth/auth.guard';
import type { Caller } from '../auth/token-verifier';
import { ServiceClients } from '../clients/service-clients';
import { Endpoint } from '../api/endpoint';
import { generationOperations as api } from './generations.api';

/** What a caller may generate with: models offered in their country, and studio templates. */
@UseGuards(AuthGuard)
@Controller()
export class CatalogController {
  constructor(private readonly clients: ServiceClients) {}

  @Endpoint(api.models)
  async models(@CurrentCaller() caller: Caller): Promise<{ items: generationV1.ModelInfo[] }> {
    const list = await this.clients.catalog.listModels({ country: caller.country ?? '' });
    return { items: list.models };
  }

  @Endpoint(api.templates)
  async templates(): Promise<{ items: generationV1.TemplateInfo[] }> {
    const list = await this.clients.catalog.listTemplates({});
    return { items: list.templates };
  }
}
