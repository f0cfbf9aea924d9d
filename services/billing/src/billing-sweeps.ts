import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnModuleDestroy,
} from '@nestjs/common';
import { startPeriodicTask, type PeriodicTask } from '@fluxnote/clock';
import { BILLING_CONFIG, type BillingConfig } from './config/billing.config';
import { LedgerService } from './ledger/ledger.service';
import { RefundService } from './refunds/refund.service';
import { SubscriptionService } from './subscriptions/subscription.service';

/**
 * Billing's time-driven work, each a sweep over durable rows (so a restart loses
 * nothing and catches up): reservations whose holder never settled them, allowance
 * cycles and paid terms that have ended, refunds waiting for the processor's word.
 */
@Injectable()
export class BillingSweeps implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(BillingSweeps.name);
  private readonly tasks: PeriodicTask[] = [];

  constructor(
    private readonly ledger: LedgerService,
    private readonly subscriptions: SubscriptionService,
    private readonly refunds: RefundService,
    @Inject(BILLING_CONFIG) private readonly config: BillingConfig,
  ) {}

  onApplicationBootstrap(): void {
    this.every('reservation expiry', this.config.RESERVATION_SWEEP_MS, async () => {
      const released = await this.ledger.releaseExpired();
      return released > 0 ? `released ${released} expired reservation(s)` : null;
    });
    this.every('renewals', this.config.RENEWAL_SWEEP_MS, async () => {
      const renewed = await this.subscriptions.renewDue();
      return renewed > 0 ? `renewed ${renewed} cycle(s)` : null;
    });
    this.every('refund settlement', this.config.REFUND_SWEEP_MS, async () => {
      const settled = await this.refunds.settlePending();
      return settled > 0 ? `settled ${settled} refund(s)` : null;
    });
  }

  async onModuleDestroy(): Promise<void> {
    await Promise.all(this.tasks.map((task) => task.stop()));
  }

  private every(name: string, intervalMs: number, run: () => Promise<string | null>): void {
    this.tasks.push(
      startPeriodicTask(
        intervalMs,
        async () => {
          const done = await run();
          if (done) {
            this.logger.log(done);
          }
        },
        { onError: (error) => this.logger.error(`${name} failed: ${String(error)}`) },
      ),
    );
  }
}
