import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationShutdown,
  type OnModuleInit,
} from '@nestjs/common';
import { Clock } from '@fluxnote/clock';
import { ServiceClients } from '../clients/service-clients';
import { GATEWAY_CONFIG, type GatewayConfig } from '../config/gateway.config';

/**
 * Sessions that accounts ended (log-out, reuse, lock, freeze, suspension,
 * password reset, deletion) while their access tokens may still be alive.
 * Pulled every REVOCATION_POLL_MS, so a request never waits on accounts and an
 * ended session stops working within about a second. If accounts cannot be
 * reached the last known list stays in force.
 */
@Injectable()
export class RevocationList implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger('Revocations');
  /** Session id → when its last access token has expired anyway (ms). */
  private readonly ended = new Map<string, number>();
  private lastSeq = 0;
  private timer: NodeJS.Timeout | undefined;
  private polling: Promise<void> | undefined;
  private failing = false;

  constructor(
    private readonly clients: ServiceClients,
    private readonly clock: Clock,
    @Inject(GATEWAY_CONFIG) private readonly config: GatewayConfig,
  ) {}

  onModuleInit(): void {
    this.timer = setInterval(() => void this.refresh(), this.config.REVOCATION_POLL_MS);
    this.timer.unref();
    void this.refresh();
  }

  async onApplicationShutdown(): Promise<void> {
    clearInterval(this.timer);
    await this.polling;
  }

  isEnded(sessionId: string): boolean {
    return this.ended.has(sessionId);
  }

  /**
   * A pull that starts after this call, so what accounts ended before it is in force once it
   * resolves (a pull already under way may have read the list before that).
   */
  async catchUp(): Promise<void> {
    await this.polling;
    await this.refresh();
  }

  /** One pull (overlapping pulls share one call). */
  refresh(): Promise<void> {
    this.polling ??= this.pull().finally(() => (this.polling = undefined));
    return this.polling;
  }

  private async pull(): Promise<void> {
    try {
      for (;;) {
        const { items } = await this.clients.sessions.listRevocations({ afterSeq: this.lastSeq });
        for (const item of items) {
          this.ended.set(item.sessionId, Date.parse(item.expiresAt));
          this.lastSeq = Math.max(this.lastSeq, item.seq);
        }
        if (items.length < 1000) {
          break;
        }
      }
      const now = this.clock.now().getTime();
      for (const [sessionId, expiresAt] of this.ended) {
        if (expiresAt <= now) {
          this.ended.delete(sessionId);
        }
      }
      if (this.failing) {
        this.logger.log('session revocations are up to date again');
        this.failing = false;
      }
    } catch (error) {
      if (!this.failing) {
        this.logger.warn(
          `cannot pull session revocations from accounts; keeping the last list: ${String(error)}`,
        );
        this.failing = true;
      }
    }
  }
}
