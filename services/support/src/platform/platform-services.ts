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
  private readonly accounts: PromiseClient<accountsV1.AccountsServiceClient>;
  private readonly ledger: PromiseClient<billingV1.LedgerServiceClient>;
  private readonly payments: PromiseClient<billingPaymentsV1.PaymentsServiceClient>;
  private readonly generation: PromiseClient<generationV1.GenerationServiceClient>;

  constructor(@Inject(SUPPORT_CONFIG) config: SupportConfig) {
    super();
    this.clients = new GrpcClientSet(config.GRPC_DEADLINE_MS);
    const specs = platformServiceSpecs;
    this.accounts = this.clients.open(specs.accounts, config.ACCOUNTS_GRPC_URL, 'accounts');
    this.ledger = this.clients.open(specs.billing, config.BILLING_GRPC_URL, 'billing');
    this.payments = this.clients.open(specs.payments, config.BILLING_GRPC_URL, 'billing');
    this.generation = this.clients.open(specs.generation, config.GENERATION_GRPC_URL, 'generation');
  }

  async freeze(userId: string, ticketId: string, note: string): Promise<void> {
    await this.accounts.freezeForSecurityTicket({ userId, ticketId, note });
  }

  async currentPlan(userId: string): Promise<string> {
    return (await this.payments.getSubscription({ userId })).plan;
  }

  jobLog(jobId: string): Promise<generationV1.JobLog> {
    return this.generation.getJobLog({ jobId });
  }

  customerJob(userId: string, jobId: string): Promise<generationV1.Job> {
    return this.generation.getJob({ userId, jobId });
  }

  approvePrompt(request: generationV1.ApprovePromptRequest): Promise<generationV1.PromptApproval> {
    return this.generation.approvePrompt(request);
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
    return this.payments.grantGoodwillRefund(request);
  }

  unfreeze(request: accountsV1.StaffActionRequest): Promise<accountsV1.User> {
    return this.accounts.unfreezeAccount(request);
  }

  decideAppeal(request: accountsV1.DecideAppealRequest): Promise<accountsV1.Suspension> {
    return this.accounts.decideAppeal(request);
  }

  suspension(userId: string): Promise<accountsV1.Suspension> {
    return this.accounts.getSuspension({ userId });
  }

  onModuleDestroy(): void {
    this.clients.close();
  }
}
