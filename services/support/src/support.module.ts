import { Module, type DynamicModule } from '@nestjs/common';
import { serviceInfrastructure, userPurgeProviders } from '@fluxnote/platform';
import { supportDatabase } from './support.database';
import type { SupportConfig } from './config/support.config';

/** Account deletion: support holds no user rows yet (tickets will add theirs); it still confirms. */
const purgeStatements: string[] = [];

@Module({})
export class SupportModule {
  static forRoot(config: SupportConfig): DynamicModule {
    return {
      module: SupportModule,
      imports: serviceInfrastructure({
        ...supportDatabase,
        config,
      }),
      providers: [...userPurgeProviders('support', purgeStatements)],
    };
  }
}
