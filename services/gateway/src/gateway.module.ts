import {
  Module,
  type DynamicModule,
  type OnApplicationShutdown,
  Inject,
  Injectable,
} from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import { Pool } from 'pg';
import { serviceInfrastructure } from '@fluxnote/platform';
import { gatewayDatabase } from './gateway.database';
import { AuthGuard } from './auth/auth.guard';
import { RevocationList } from './auth/revocation-list';
import { JwksController } from './auth/jwks.controller';
import { TokenVerifier } from './auth/token-verifier';
import { ServiceClients } from './clients/service-clients';
import { GATEWAY_CONFIG, type GatewayConfig } from './config/gateway.config';
import { RequestLimits } from './http/request-limits';
import { DownstreamHealth, downstreamServices } from './clients/downstream-health';
import { IdempotencyService } from './idempotency/idempotency.service';
import { AccountController } from './routes/account.controller';
import { AdminController } from './routes/admin.controller';
import { AuthController } from './routes/auth.controller';
import { BillingController } from './routes/billing.controller';
import { CatalogController } from './routes/catalog.controller';
import {
  GenerationsController,
  ProjectsController,
  SharedGenerationsController,
} from './routes/generations.controller';
import { FaceIdentitiesController, VoiceClonesController } from './routes/likenesses.controller';
import { NotificationsController } from './routes/notifications.controller';
import { AgentController, SupportController } from './routes/support.controller';
import { InboundEmailController, WebhooksController } from './routes/webhooks.controller';
import { EventStreams } from './http/event-streams';
import { PLATFORM_DB } from './routes/platform-db';

@Injectable()
class PlatformDbLifecycle implements OnApplicationShutdown {
  constructor(@Inject(PLATFORM_DB) private readonly pool: Pool) {}
  async onApplicationShutdown(): Promise<void> {
    await this.pool.end();
  }
}

/** Every controller of the public API (each route an operation of `api/operations.ts`). */
export const gatewayControllers = [
  AuthController,
  AccountController,
  CatalogController,
  BillingController,
  GenerationsController,
  ProjectsController,
  SharedGenerationsController,
  VoiceClonesController,
  FaceIdentitiesController,
  NotificationsController,
  SupportController,
  AgentController,
  AdminController,
  WebhooksController,
  InboundEmailController,
  JwksController,
];

@Module({})
export class GatewayModule {
  static forRoot(config: GatewayConfig): DynamicModule {
    return {
      module: GatewayModule,
      imports: serviceInfrastructure({
        ...gatewayDatabase,
        config,
        messaging: false,
        // PORT is public (the Ingress): Prometheus scrapes HTTP_PORT instead (main.ts).
        metricsApart: true,
        // Ready is the gateway's own (its database); a service behind it that does not answer
        // is reported here and takes down only the routes that call it (DownstreamHealth).
        dependencies: Object.fromEntries(
          downstreamServices.map((service) => [
            service,
            (moduleRef: ModuleRef) =>
              Promise.resolve(
                moduleRef.get(DownstreamHealth, { strict: false }).assertHeard(service),
              ),
          ]),
        ),
      }),
      controllers: gatewayControllers,
      providers: [
        { provide: GATEWAY_CONFIG, useValue: config },
        {
          provide: PLATFORM_DB,
          useFactory: () => new Pool({ connectionString: config.DATABASE_URL, max: 2 }),
        },
        PlatformDbLifecycle,
        RevocationList,
        TokenVerifier,
        AuthGuard,
        DownstreamHealth,
        ServiceClients,
        IdempotencyService,
        EventStreams,
        RequestLimits,
      ],
    };
  }
}
