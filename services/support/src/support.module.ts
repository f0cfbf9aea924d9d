import { Module, type DynamicModule } from '@nestjs/common';
import {
  accountsDirectoryProvider,
  serviceInfrastructure,
  userPurgeProviders,
} from '@fluxnote/platform';
import { supportDatabase } from './support.database';
import { SUPPORT_CONFIG, type SupportConfig } from './config/support.config';
import { SecurityFreeze } from './platform/security-freeze';
import { CitedJobs } from './platform/cited-jobs';
import { GrpcPlatformServices, PlatformServices } from './platform/platform-services';
import { AgentActions } from './tickets/agent-actions.service';
import { SlaMetrics } from './sla/sla-metrics';
import { SlaWatch } from './sla/sla-watch';
import { policiesWithRegions, SlaClocks } from './sla/sla-clock';
import { InboundEmail } from './email/inbound-email';
import { WeeklyReports } from './reports/weekly-reports';
import { TicketStream } from './tickets/ticket-stream';
import { CustomersConsumer } from './customers/customers.events';
import { CurrentPlans, Customers } from './customers/customers';
import { InboundEmailGrpcController } from './email/inbound-email.grpc';
import { ReportsGrpcController } from './reports/reports.grpc';
import { AgentDeskGrpcController } from './tickets/agent-desk.grpc';
import { TicketsGrpcController } from './tickets/tickets.grpc';
import { TicketsService } from './tickets/tickets.service';
import { AgentDesk } from './tickets/agent-desk.service';
import { AppealTicketsConsumer } from './tickets/appeal-tickets.events';
import { DisputeTickets } from './tickets/dispute-tickets';
import { DisputeTicketsConsumer } from './tickets/dispute-tickets.events';
import { AppealTickets } from './tickets/appeal-tickets';

/** Account deletion: every row this service holds for a user (messages go with their tickets). */
const purgeStatements = [
  `DELETE FROM support.tickets WHERE user_id = $1`,
  `DELETE FROM support.customers WHERE user_id = $1`,
  // an agent who leaves: their actions on others' tickets stay, without them
  `UPDATE support.tickets SET claimed_by = NULL WHERE claimed_by = $1`,
  `UPDATE support.ticket_messages SET author_id = NULL WHERE author_id = $1`,
  `UPDATE support.ticket_audit SET actor_id = NULL WHERE actor_id = $1`,
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
      controllers: [
        TicketsGrpcController,
        AgentDeskGrpcController,
        InboundEmailGrpcController,
        ReportsGrpcController,
      ],
      providers: [
        ...userPurgeProviders('support', purgeStatements),
        { provide: SUPPORT_CONFIG, useValue: config },
        {
          provide: SlaClocks,
          useValue: new SlaClocks(policiesWithRegions(config.SUPPORT_HOLIDAY_REGIONS)),
        },
        { provide: PlatformServices, useClass: GrpcPlatformServices },
        { provide: SecurityFreeze, useExisting: PlatformServices },
        { provide: CitedJobs, useExisting: PlatformServices },
        CustomersConsumer,
        { provide: CurrentPlans, useExisting: PlatformServices },
        accountsDirectoryProvider(config),
        Customers,
        TicketsService,
        AgentDesk,
        AgentActions,
        SlaWatch,
        SlaMetrics,
        InboundEmail,
        WeeklyReports,
        TicketStream,
        AppealTickets,
        AppealTicketsConsumer,
        DisputeTickets,
        DisputeTicketsConsumer,
      ],
    };
  }
}
