import { Inject, Injectable, type OnModuleDestroy } from '@nestjs/common';
import type { accountsV1, billingPaymentsV1, billingV1, generationV1 } from '@fluxnote/contracts';
import { GrpcClientSet, platformServiceSpecs, type PromiseClient } from '@fluxnote/grpc';
import { SUPPORT_CONFIG, type SupportConfig } from '../config/support.config';
import type { CurrentPlans } from '../customers/customers';
import { SecurityFreeze } from './security-freeze';

/**
 * What support asks of the other services: accounts (freeze, unfreeze, appeal
 * decisions), billing (credit grants and refunds) and generation (job logs,
 * prompt approvals). Each call the desk makes is idempotent on the other side
 * (keys, once-per-job records, final decisions), so a retried action never
 * grants, refunds or decides twice.
 */
export abstract class PlatformServices extends SecurityFreeze {
  abstract jobLog(jobId: string): Promise<generationV1.JobLog>;
  /** The customer's own job; anyone else's is not found (404). */
  abstract customerJob(userId: string, jobId: string): Promise<generationV1.Job>;
  abstract approvePrompt(
    request: generationV1.ApprovePromptRequest,
  ): Promise<generationV1.PromptApproval>;
  abstract refundJobCredits(
    request: billingV1.RefundJobCreditsRequest,
  ): Promise<billingV1.CreditGrant>;
  abstract grantCredits(request: billingV1.GrantRequest): Promise<billingV1.CreditGrant>;
  abstract goodwillRefund(
    request: billingPaymentsV1.GoodwillRefundRequest,
  ): Promise<billingPaymentsV1.Refund>;
  abstract unfreeze(request: accountsV1.StaffActionRequest): Promise<accountsV1.User>;
  abstract decideAppeal(request: accountsV1.DecideAppealRequest): Promise<accountsV1.Suspension>;
  /** The user's suspension as accounts records it (404 if none). */
  abstract suspension(userId: string): Promise<accountsV1.Suspension>;
}

/** The same, over gRPC, each call with the configured deadline. */
@Injectable()
export class GrpcPlatformServices
  extends PlatformServices
  implements CurrentPlans, OnModuleDestroy
{
  private readonly clients: GrpcClientSet;
  private readonly standing: PromiseClient<accountsV1.StandingServiceClient>;
  private readonly ledger: PromiseClient<billingV1.LedgerServiceClient>;
  private readonly subscriptions: PromiseClient<billingPaymentsV1.SubscriptionsServiceClient>;
  private readonly refunds: PromiseClient<billingPaymentsV1.RefundsServiceClient>;
  private readonly jobs: PromiseClient<generationV1.JobsServiceClient>;
  private readonly promptReview: PromiseClient<generationV1.PromptReviewServiceClient>;

  constructor(@Inject(SUPPORT_CONFIG) config: SupportConfig) {
    super();
    this.clients = new GrpcClientSet(config.GRPC_DEADLINE_MS);
    const specs = platformServiceSpecs;
    this.standing = this.clients.open(specs.standing, config.ACCOUNTS_GRPC_URL, 'accounts');
    this.ledger = this.clients.open(specs.billing, config.BILLING_GRPC_URL, 'billing');
    this.subscriptions = this.clients.open(specs.subscriptions, config.BILLING_GRPC_URL, 'billing');
    this.refunds = this.clients.open(specs.refunds, config.BILLING_GRPC_URL, 'billing');
    this.jobs = this.clients.open(specs.jobs, config.GENERATION_GRPC_URL, 'generation');
    this.promptReview = this.clients.open(
      specs.promptReview,
      config.GENERATION_GRPC_URL,
      'generation',
    );
  }

  async freeze(userId: string, ticketId: string, note: string): Promise<void> {
    await this.standing.freezeForSecurityTicket({ userId, ticketId, note });
  }

  async currentPlan(userId: string): Promise<string> {
    return (await this.subscriptions.getSubscription({ userId })).plan;
  }

  jobLog(jobId: string): Promise<generationV1.JobLog> {
    return this.jobs.getJobLog({ jobId });
  }

  customerJob(userId: string, jobId: string): Promise<generationV1.Job> {
    return this.jobs.getJob({ userId, jobId });
  }

  approvePrompt(request: generationV1.ApprovePromptRequest): Promise<generationV1.PromptApproval> {
    return this.promptReview.approvePrompt(request);
  }

  refundJobCredits(request: billingV1.RefundJobCreditsRequest): Promise<billingV1.CreditGrant> {
    return this.ledger.refundJobCredits(request);
  }

  grantCredits(request: billingV1.GrantRequest): Promise<billingV1.CreditGrant> {
    return this.ledger.grant(request);
  }

  goodwillRefund(
    request: billingPaymentsV1.GoodwillRefundRequest,
  ): Promise<billingPaymentsV1.Refund> {
    return this.refunds.grantGoodwillRefund(request);
  }

  unfreeze(request: accountsV1.StaffActionRequest): Promise<accountsV1.User> {
    return this.standing.unfreezeAccount(request);
  }

  decideAppeal(request: accountsV1.DecideAppealRequest): Promise<accountsV1.Suspension> {
    return this.standing.decideAppeal(request);
  }

  suspension(userId: string): Promise<accountsV1.Suspension> {
    return this.standing.getSuspension({ userId });
  }

  onModuleDestroy(): void {
    this.clients.close();
  }
}
