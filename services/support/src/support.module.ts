import { Module, type DynamicModule } from '@nestjs/common';
import { serviceInfrastructure } from '@fluxnote/platform';
import type { SupportConfig } from './config/support.config';
import { InitialSupport1763700000500 } from './migrations/1763700000500-initial-support';

@Module({})
export class SupportModule {
  static forRoot(config: SupportConfig): DynamicModule {
    return {
      module: SupportModule,
      imports: serviceInfrastructure({
        service: 'support',
        config,
        entities: [],
        migrations: [InitialSupport1763700000500],
      }),
    };
  }
}
