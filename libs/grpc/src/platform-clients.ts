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

/** The services of one generated contract (a proto file), by name. */
const servicesOf =
  (contract: { protobufPackage: string; protobufFileName: string }) =>
  (service: string): GrpcServiceSpec => ({
    package: contract.protobufPackage,
    file: contract.protobufFileName,
    service,
  });

const generation = servicesOf(generationV1);

/** Generation's services, one per feature (the handler of each lives beside its feature). */
export const generationServiceSpecs = {
  jobs: generation(generationV1.JOBS_SERVICE_NAME),
  catalog: generation(generationV1.CATALOG_SERVICE_NAME),
  likenesses: generation(generationV1.LIKENESSES_SERVICE_NAME),
  promptReview: generation(generationV1.PROMPT_REVIEW_SERVICE_NAME),
  incidents: generation(generationV1.INCIDENTS_SERVICE_NAME),
  providers: generation(generationV1.PROVIDERS_SERVICE_NAME),
  /** Every method under the one name of before the split; served for one release, then removed. */
  legacy: generation(generationV1.GENERATION_SERVICE_NAME),
} satisfies Record<string, GrpcServiceSpec>;

const payments = servicesOf(billingPaymentsV1);

/** Billing's payment services, one per feature (the ledger has its own contract). */
export const paymentServiceSpecs = {
  subscriptions: payments(billingPaymentsV1.SUBSCRIPTIONS_SERVICE_NAME),
  charges: payments(billingPaymentsV1.CHARGES_SERVICE_NAME),
  refunds: payments(billingPaymentsV1.REFUNDS_SERVICE_NAME),
  paymentMethods: payments(billingPaymentsV1.PAYMENT_METHODS_SERVICE_NAME),
  stripeWebhooks: payments(billingPaymentsV1.STRIPE_WEBHOOKS_SERVICE_NAME),
  /** Every method under the one name of before the split; served for one release, then removed. */
  legacy: payments(billingPaymentsV1.PAYMENTS_SERVICE_NAME),
} satisfies Record<string, GrpcServiceSpec>;

const accounts = servicesOf(accountsV1);

/** Accounts' services, one per feature. */
export const accountServiceSpecs = {
  users: accounts(accountsV1.USERS_SERVICE_NAME),
  logins: accounts(accountsV1.LOGINS_SERVICE_NAME),
  sessions: accounts(accountsV1.SESSIONS_SERVICE_NAME),
  standing: accounts(accountsV1.STANDING_SERVICE_NAME),
  accountDeletion: accounts(accountsV1.ACCOUNT_DELETION_SERVICE_NAME),
  /** Every method under the one name of before the split; served for one release, then removed. */
  legacy: accounts(accountsV1.ACCOUNTS_SERVICE_NAME),
} satisfies Record<string, GrpcServiceSpec>;

const support = servicesOf(supportV1);

/** Support's services, one per feature. */
export const supportServiceSpecs = {
  tickets: support(supportV1.TICKETS_SERVICE_NAME),
  agentDesk: support(supportV1.AGENT_DESK_SERVICE_NAME),
  inboundEmail: support(supportV1.INBOUND_EMAIL_SERVICE_NAME),
  reports: support(supportV1.REPORTS_SERVICE_NAME),
  /** Every method under the one name of before the split; served for one release, then removed. */
  legacy: support(supportV1.SUPPORT_SERVICE_NAME),
} satisfies Record<string, GrpcServiceSpec>;

const notifications = servicesOf(notificationsV1);

/** Notifications' services, one per feature. */
export const notificationServiceSpecs = {
  feed: notifications(notificationsV1.FEED_SERVICE_NAME),
  preferences: notifications(notificationsV1.PREFERENCES_SERVICE_NAME),
  pushDevices: notifications(notificationsV1.PUSH_DEVICES_SERVICE_NAME),
  deliveries: notifications(notificationsV1.DELIVERIES_SERVICE_NAME),
  /** Every method under the one name of before the split; served for one release, then removed. */
  legacy: notifications(notificationsV1.NOTIFICATIONS_SERVICE_NAME),
} satisfies Record<string, GrpcServiceSpec>;

/** Every gRPC service of the platform: its package, proto file and service name. */
export const platformServiceSpecs = {
  users: accountServiceSpecs.users,
  logins: accountServiceSpecs.logins,
  sessions: accountServiceSpecs.sessions,
  standing: accountServiceSpecs.standing,
  accountDeletion: accountServiceSpecs.accountDeletion,
  billing: {
    package: billingV1.protobufPackage,
    file: billingV1.protobufFileName,
    service: billingV1.LEDGER_SERVICE_NAME,
  },
  subscriptions: paymentServiceSpecs.subscriptions,
  charges: paymentServiceSpecs.charges,
  refunds: paymentServiceSpecs.refunds,
  paymentMethods: paymentServiceSpecs.paymentMethods,
  stripeWebhooks: paymentServiceSpecs.stripeWebhooks,
  jobs: generationServiceSpecs.jobs,
  catalog: generationServiceSpecs.catalog,
  likenesses: generationServiceSpecs.likenesses,
  promptReview: generationServiceSpecs.promptReview,
  incidents: generationServiceSpecs.incidents,
  providers: generationServiceSpecs.providers,
  feed: notificationServiceSpecs.feed,
  preferences: notificationServiceSpecs.preferences,
  pushDevices: notificationServiceSpecs.pushDevices,
  deliveries: notificationServiceSpecs.deliveries,
  tickets: supportServiceSpecs.tickets,
  agentDesk: supportServiceSpecs.agentDesk,
  inboundEmail: supportServiceSpecs.inboundEmail,
  reports: supportServiceSpecs.reports,
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
