import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnModuleDestroy,
} from '@nestjs/common';
import { startPeriodicTask, type PeriodicTask } from '@fluxnote/clock';
import { BILLING_CONFIG, type BillingConfig } from '../config/billing.config';
import { LedgerService } from './ledger.service';

/** Releases reservations whose holder never committed nor released them (a crashed caller). */
@Injectable()
export class ReservationExpiry implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(ReservationExpiry.name);
  private task: PeriodicTask | undefined;

  constructor(
    private readonly ledger: LedgerService,
    @Inject(BILLING_CONFIG) private readonly config: BillingConfig,
  ) {}

  onApplicationBootstrap(): void {
    this.task = startPeriodicTask(
      this.config.RESERVATION_SWEEP_MS,
      async () => {
        const released = await this.ledger.releaseExpired();
        if (released > 0) {
          this.logger.log(`released ${released} expired reservation(s)`);
        }
      },
      { onError: (error) => this.logger.error(`reservation sweep failed: ${String(error)}`) },
    );
  }

  async onModuleDestroy(): Promise<void> {
    await this.task?.stop();
  }
}
