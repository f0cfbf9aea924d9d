import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnModuleDestroy,
} from '@nestjs/common';
import { BILLING_CONFIG, type BillingConfig } from '../config/billing.config';
import { LedgerService } from './ledger.service';

/** Releases reservations whose holder never committed nor released them (a crashed caller). */
@Injectable()
export class ReservationExpiry implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(ReservationExpiry.name);
  private timer: NodeJS.Timeout | undefined;
  private sweeping: Promise<void> = Promise.resolve();

  constructor(
    private readonly ledger: LedgerService,
    @Inject(BILLING_CONFIG) private readonly config: BillingConfig,
  ) {}

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => {
      this.sweeping = this.sweep();
    }, this.config.RESERVATION_SWEEP_MS);
  }

  async onModuleDestroy(): Promise<void> {
    clearInterval(this.timer);
    await this.sweeping;
  }

  private async sweep(): Promise<void> {
    try {
      const released = await this.ledger.releaseExpired();
      if (released > 0) {
        this.logger.log(`released ${released} expired reservation(s)`);
      }
    } catch (error) {
      this.logger.error(`reservation sweep failed: ${String(error)}`);
    }
  }
}
