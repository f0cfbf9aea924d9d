import { Inject, Injectable, type OnModuleDestroy } from '@nestjs/common';
import {
  accountsV1,
  billingPaymentsV1,
  billingV1,
  generationV1,
  notificationsV1,
  supportV1,
} from '@fluxnote/contracts';
import { createGrpcClient, type GrpcClientHandle, type GrpcServiceSpec } from '@fluxnote/grpc';
import { GATEWAY_CONFIG, type GatewayConfig } from '../config/gateway.config';

export const serviceSpecs = {
  accounts: {
    package: accountsV1.protobufPackage,
    file: accountsV1.protobufFileName,
    service: accountsV1.ACCOUNTS_SERVICE_NAME,
  },
  billing: {
    package: billingV1.protobufPackage,
    file: billingV1.protobufFileName,
    service: billingV1.LEDGER_SERVICE_NAME,
  },
  payments: {
    package: billingPaymentsV1.protobufPackage,
    file: billingPaymentsV1.protobufFileName,
    service: billingPaymentsV1.PAYMENTS_SERVICE_NAME,
  },
  generation: {
    package: generationV1.protobufPackage,
    file: generationV1.protobufFileName,
    service: generationV1.GENERATION_SERVICE_NAME,
  },
  notifications: {
    package: notificationsV1.protobufPackage,
    file: notificationsV1.protobufFileName,
    service: notificationsV1.NOTIFICATIONS_SERVICE_NAME,
  },
  support: {
    package: supportV1.protobufPackage,
    file: supportV1.protobufFileName,
    service: supportV1.SUPPORT_SERVICE_NAME,
  },
} satisfies Record<string, GrpcServiceSpec>;

/** One gRPC client per service behind the gateway, each call with a deadline. */
@Injectable()
export class ServiceClients implements OnModuleDestroy {
  private readonly handles: { close(): void }[] = [];
  readonly accounts: GrpcClientHandle<accountsV1.AccountsServiceClient>['client'];
  readonly billing: GrpcClientHandle<billingV1.LedgerServiceClient>['client'];
  readonly payments: GrpcClientHandle<billingPaymentsV1.PaymentsServiceClient>['client'];
  readonly generation: GrpcClientHandle<generationV1.GenerationServiceClient>['client'];
  readonly notifications: GrpcClientHandle<notificationsV1.NotificationsServiceClient>['client'];
  readonly support: GrpcClientHandle<supportV1.SupportServiceClient>['client'];

  constructor(@Inject(GATEWAY_CONFIG) config: GatewayConfig) {
    const open = <T>(
      spec: GrpcServiceSpec,
      address: string,
      label: string,
    ): GrpcClientHandle<T>['client'] => {
      const handle = createGrpcClient<T>(spec, address, {
        deadlineMs: config.GRPC_DEADLINE_MS,
        serviceLabel: label,
      });
      this.handles.push(handle);
      return handle.client;
    };
    this.accounts = open(serviceSpecs.accounts, config.ACCOUNTS_GRPC_URL, 'accounts');
    this.billing = open(serviceSpecs.billing, config.BILLING_GRPC_URL, 'billing');
    this.payments = open(serviceSpecs.payments, config.BILLING_GRPC_URL, 'billing');
    this.generation = open(serviceSpecs.generation, config.GENERATION_GRPC_URL, 'generation');
    this.notifications = open(
      serviceSpecs.notifications,
      config.NOTIFICATIONS_GRPC_URL,
      'notifications',
    );
    this.support = open(serviceSpecs.support, config.SUPPORT_GRPC_URL, 'support');
  }

  onModuleDestroy(): void {
    for (const handle of this.handles) {
      handle.close();
    }
  }
}
