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
import { DownstreamHealth, type DownstreamService } from './downstream-health';

/** The same client, refusing at once (503) while its service does not answer. */
function guarded<T extends object>(
  client: T,
  service: DownstreamService,
  health: DownstreamHealth,
): T {
  return new Proxy(client, {
    get(target, property, receiver) {
      const value = Reflect.get(target, property, receiver) as unknown;
      if (typeof value !== 'function') {
        return value;
      }
      return (...args: unknown[]) => {
        health.assertUp(service);
        return (value as (...a: unknown[]) => unknown).apply(target, args);
      };
    },
  });
}

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

  constructor(@Inject(GATEWAY_CONFIG) config: GatewayConfig, health: DownstreamHealth) {
    this.clients = new GrpcClientSet(config.GRPC_DEADLINE_MS);
    const specs = platformServiceSpecs;
    const open = <T extends object>(
      spec: (typeof specs)[keyof typeof specs],
      address: string,
      service: DownstreamService,
    ): PromiseClient<T> =>
      guarded(
        this.clients.open<T>(spec, address, service) as PromiseClient<T> & object,
        service,
        health,
      );
    this.accounts = open(specs.accounts, config.ACCOUNTS_GRPC_URL, 'accounts');
    this.billing = open(specs.billing, config.BILLING_GRPC_URL, 'billing');
    this.payments = open(specs.payments, config.BILLING_GRPC_URL, 'billing');
    this.generation = open(specs.generation, config.GENERATION_GRPC_URL, 'generation');
    this.notifications = open(specs.notifications, config.NOTIFICATIONS_GRPC_URL, 'notifications');
    this.support = open(specs.support, config.SUPPORT_GRPC_URL, 'support');
  }

  onModuleDestroy(): void {
    this.clients.close();
  }
}
