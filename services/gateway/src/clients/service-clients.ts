import { Inject, Injectable, type OnModuleDestroy } from '@nestjs/common';
import type {
  accountsV1,
  billingPaymentsV1,
  billingV1,
  generationV1,
  notificationsV1,
  supportV1,
} from '@fluxnote/contracts';
import { GrpcClientSet, platformServiceSpecs, type PromiseClient } from '@fluxnote/grpc';
import { GATEWAY_CONFIG, type GatewayConfig } from '../config/gateway.config';

/** One gRPC client per service behind the gateway, each call with a deadline. */
@Injectable()
export class ServiceClients implements OnModuleDestroy {
  private readonly clients: GrpcClientSet;
  readonly accounts: PromiseClient<accountsV1.AccountsServiceClient>;
  readonly billing: PromiseClient<billingV1.LedgerServiceClient>;
  readonly payments: PromiseClient<billingPaymentsV1.PaymentsServiceClient>;
  readonly generation: PromiseClient<generationV1.GenerationServiceClient>;
  readonly notifications: PromiseClient<notificationsV1.NotificationsServiceClient>;
  readonly support: PromiseClient<supportV1.SupportServiceClient>;

  constructor(@Inject(GATEWAY_CONFIG) config: GatewayConfig) {
    this.clients = new GrpcClientSet(config.GRPC_DEADLINE_MS);
    const specs = platformServiceSpecs;
    this.accounts = this.clients.open(specs.accounts, config.ACCOUNTS_GRPC_URL, 'accounts');
    this.billing = this.clients.open(specs.billing, config.BILLING_GRPC_URL, 'billing');
    this.payments = this.clients.open(specs.payments, config.BILLING_GRPC_URL, 'billing');
    this.generation = this.clients.open(specs.generation, config.GENERATION_GRPC_URL, 'generation');
    this.notifications = this.clients.open(
      specs.notifications,
      config.NOTIFICATIONS_GRPC_URL,
      'notifications',
    );
    this.support = this.clients.open(specs.support, config.SUPPORT_GRPC_URL, 'support');
  }

  onModuleDestroy(): void {
    this.clients.close();
  }
}
