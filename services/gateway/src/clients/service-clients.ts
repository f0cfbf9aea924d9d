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
  readonly users: PromiseClient<accountsV1.UsersServiceClient>;
  readonly logins: PromiseClient<accountsV1.LoginsServiceClient>;
  readonly sessions: PromiseClient<accountsV1.SessionsServiceClient>;
  readonly standing: PromiseClient<accountsV1.StandingServiceClient>;
  readonly accountDeletion: PromiseClient<accountsV1.AccountDeletionServiceClient>;
  readonly billing: PromiseClient<billingV1.LedgerServiceClient>;
  readonly subscriptions: PromiseClient<billingPaymentsV1.SubscriptionsServiceClient>;
  readonly charges: PromiseClient<billingPaymentsV1.ChargesServiceClient>;
  readonly refunds: PromiseClient<billingPaymentsV1.RefundsServiceClient>;
  readonly paymentMethods: PromiseClient<billingPaymentsV1.PaymentMethodsServiceClient>;
  readonly stripeWebhooks: PromiseClient<billingPaymentsV1.StripeWebhooksServiceClient>;
  readonly jobs: PromiseClient<generationV1.JobsServiceClient>;
  readonly catalog: PromiseClient<generationV1.CatalogServiceClient>;
  readonly likenesses: PromiseClient<generationV1.LikenessesServiceClient>;
  readonly incidents: PromiseClient<generationV1.IncidentsServiceClient>;
  readonly providers: PromiseClient<generationV1.ProvidersServiceClient>;
  readonly feed: PromiseClient<notificationsV1.FeedServiceClient>;
  readonly preferences: PromiseClient<notificationsV1.PreferencesServiceClient>;
  readonly pushDevices: PromiseClient<notificationsV1.PushDevicesServiceClient>;
  readonly deliveries: PromiseClient<notificationsV1.DeliveriesServiceClient>;
  readonly tickets: PromiseClient<supportV1.TicketsServiceClient>;
  readonly agentDesk: PromiseClient<supportV1.AgentDeskServiceClient>;
  readonly inboundEmail: PromiseClient<supportV1.InboundEmailServiceClient>;
  readonly reports: PromiseClient<supportV1.ReportsServiceClient>;

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
    const accounts = config.ACCOUNTS_GRPC_URL;
    this.users = open(specs.users, accounts, 'accounts');
    this.logins = open(specs.logins, accounts, 'accounts');
    this.sessions = open(specs.sessions, accounts, 'accounts');
    this.standing = open(specs.standing, accounts, 'accounts');
    this.accountDeletion = open(specs.accountDeletion, accounts, 'accounts');
    this.billing = open(specs.billing, config.BILLING_GRPC_URL, 'billing');
    const billing = config.BILLING_GRPC_URL;
    this.subscriptions = open(specs.subscriptions, billing, 'billing');
    this.charges = open(specs.charges, billing, 'billing');
    this.refunds = open(specs.refunds, billing, 'billing');
    this.paymentMethods = open(specs.paymentMethods, billing, 'billing');
    this.stripeWebhooks = open(specs.stripeWebhooks, billing, 'billing');
    const generation = config.GENERATION_GRPC_URL;
    this.jobs = open(specs.jobs, generation, 'generation');
    this.catalog = open(specs.catalog, generation, 'generation');
    this.likenesses = open(specs.likenesses, generation, 'generation');
    this.incidents = open(specs.incidents, generation, 'generation');
    this.providers = open(specs.providers, generation, 'generation');
    const notifications = config.NOTIFICATIONS_GRPC_URL;
    this.feed = open(specs.feed, notifications, 'notifications');
    this.preferences = open(specs.preferences, notifications, 'notifications');
    this.pushDevices = open(specs.pushDevices, notifications, 'notifications');
    this.deliveries = open(specs.deliveries, notifications, 'notifications');
    const support = config.SUPPORT_GRPC_URL;
    this.tickets = open(specs.tickets, support, 'support');
    this.agentDesk = open(specs.agentDesk, support, 'support');
    this.inboundEmail = open(specs.inboundEmail, support, 'support');
    this.reports = open(specs.reports, support, 'support');
  }

  onModuleDestroy(): void {
    this.clients.close();
  }
}
