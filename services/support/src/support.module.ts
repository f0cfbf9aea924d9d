import { Module, type DynamicModule } from '@nestjs/common';
import { serviceInfrastructure } from '@fluxnote/platform';
import { supportDatabase } from './support.database';
import type { SupportConfig } from './config/support.config';

@Module({})
export class SupportModule {
  static forRoot(config: SupportConfig): DynamicModule {
    return {
      module: SupportModule,
      imports: serviceInfrastructure({
        ...supportDatabase,
        config,
      }),
    };
  }
}
