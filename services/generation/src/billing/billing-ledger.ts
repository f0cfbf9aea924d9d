import { Inject, Injectable, type OnModuleDestroy } from '@nestjs/common';
import type { billingV1 } from '@fluxnote/contracts';
import { createGrpcClient, platformServiceSpecs, type GrpcClientHandle } from '@fluxnote/grpc';
import { GENERATION_CONFIG, type GenerationConfig } from '../config/generation.config';

/** Billing's credit ledger, over gRPC. Every call is idempotent by the job id. */
@Injectable()
export class BillingLedger implements OnModuleDestroy {
  private readonly handle: GrpcClientHandle<billingV1.LedgerServiceClient>;

  constructor(@Inject(GENERATION_CONFIG) config: GenerationConfig) {
    this.handle = createGrpcClient<billingV1.LedgerServiceClient>(
      platformServiceSpecs.billing,
      config.BILLING_GRPC_URL,
      { deadlineMs: config.GRPC_DEADLINE_MS, serviceLabel: 'billing' },
    );
  }

  reserve(
    jobId: string,
    userId: string,
    credits: { video: number; image: number },
  ): Promise<billingV1.Reservation> {
    return this.handle.client.reserve({ key: jobId, userId, credits, ttlSeconds: 0 });
  }

  commit(jobId: string): Promise<billingV1.Reservation> {
    return this.handle.client.commit({ key: jobId, reason: 'job succeeded' });
  }

  release(jobId: string, reason: string): Promise<billingV1.Reservation> {
    return this.handle.client.release({ key: jobId, reason });
  }

  onModuleDestroy(): void {
    this.handle.close();
  }
}
