import {
  accountsV1,
  billingPaymentsV1,
  billingV1,
  generationV1,
  notificationsV1,
  supportV1,
} from '@fluxnote/contracts';
import { createGrpcClient, type PromiseClient } from './grpc-client';
import type { GrpcServiceSpec } from './proto-files';

/** Every gRPC service of the platform: its package, proto file and service name. */
export const platformServiceSpecs = {
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

/** Opens clients that share a deadline and are closed together (a service's outgoing calls). */
export class GrpcClientSet {
  private readonly handles: { close(): void }[] = [];

  constructor(private readonly deadlineMs: number) {}

  open<T>(spec: GrpcServiceSpec, address: string, serviceLabel: string): PromiseClient<T> {
    const handle = createGrpcClient<T>(spec, address, {
      deadlineMs: this.deadlineMs,
      serviceLabel,
    });
    this.handles.push(handle);
    return handle.client;
  }

  close(): void {
    for (const handle of this.handles.splice(0)) {
      handle.close();
    }
  }
}
