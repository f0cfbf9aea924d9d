import { Controller, Get, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import type { generationV1 } from '@fluxnote/contracts';
import { AuthGuard, CurrentCaller } from '../auth/auth.guard';
import type { Caller } from '../auth/token-verifier';
import { ServiceClients } from '../clients/service-clients';

/** What a caller may generate with: models offered in their country, and studio templates. */
@ApiTags('generation')
@ApiBearerAuth()
@UseGuards(AuthGuard)
@Controller('v1')
export class CatalogController {
  constructor(private readonly clients: ServiceClients) {}

  @Get('models')
  async models(@CurrentCaller() caller: Caller): Promise<{ items: generationV1.ModelInfo[] }> {
    const list = await this.clients.generation.listModels({ country: caller.country ?? '' });
    return { items: list.models };
  }

  @Get('templates')
  async templates(): Promise<{ items: generationV1.TemplateInfo[] }> {
    const list = await this.clients.generation.listTemplates({});
    return { items: list.templates };
  }
}
