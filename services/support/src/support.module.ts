import { Module, type DynamicModule } from '@nestjs/common';
import { serviceInfrastructure, userPurgeProviders } from '@fluxnote/platform';
import { supportDatabase } from './support.database';
import type { SupportConfig } from './config/support.config';
import { CustomersConsumer } from './customers/customers.events';
import { TicketsGrpcController } from './tickets/tickets.grpc';
import { TicketsService } from './tickets/tickets.service';

/** Account deletion: every row this service holds for a user (messages go with their tickets). */
const purgeStatements = [
  `DELETE FROM support.tickets WHERE user_id = $1`,
  `DELETE FROM support.customers WHERE user_id = $1`,
];

@Module({})
export class SupportModule {
  static forRoot(config: SupportConfig): DynamicModule {
    return {
      module: SupportModule,
      imports: serviceInfrastructure({
        ...supportDatabase,
        config,
      }),
      controllers: [TicketsGrpcController],
      providers: [
        ...userPurgeProviders('support', purgeStatements),
        CustomersConsumer,
        TicketsService,
      ],
    };
  }
}
