import { Inject, Injectable, Logger, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { ProblemError } from '@fluxnote/contracts';
import { checkGrpcHealth } from '@fluxnote/grpc';
import { GATEWAY_CONFIG, type GatewayConfig } from '../config/gateway.config';

export const downstreamServices = [
  'accounts',
  'billing',
  'generation',
  'notifications',
  'support',
] as const;
export type DownstreamService = (typeof downstreamServices)[number];

/** What the gateway last heard of one service behind it. */
interface Standing {
  up: boolean;
  detail: string;
  /** Failed probes in a row: one miss is not yet an outage. */
  misses: number;
}

/** Probes a service this many times in a row without an answer before its routes answer 503. */
const MISSES_BEFORE_DOWN = 2;

/**
 * The services behind the gateway, probed with the gRPC health check every
 * `DOWNSTREAM_PROBE_MS`. A service that stops answering takes down only the routes that call it:
 * they answer 503 problem+json with Retry-After at once instead of waiting out their deadline,
 * while the gateway stays ready (its readiness is its own: its database) and every other route
 * keeps working. Until the first probes have answered, every service counts as up.
 */
@Injectable()
export class DownstreamHealth implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger(DownstreamHealth.name);
  private readonly standings = new Map<DownstreamService, Standing>();
  private timer: NodeJS.Timeout | undefined;
  private readonly addresses: Record<DownstreamService, string>;

  constructor(@Inject(GATEWAY_CONFIG) private readonly config: GatewayConfig) {
    this.addresses = {
      accounts: config.ACCOUNTS_GRPC_URL,
      billing: config.BILLING_GRPC_URL,
      generation: config.GENERATION_GRPC_URL,
      notifications: config.NOTIFICATIONS_GRPC_URL,
      support: config.SUPPORT_GRPC_URL,
    };
  }

  onModuleInit(): void {
    const probeAll = (): void => {
      void Promise.all(downstreamServices.map((s) => this.probe(s))).finally(() => {
        this.timer = setTimeout(probeAll, this.config.DOWNSTREAM_PROBE_MS);
        this.timer.unref();
      });
    };
    probeAll();
  }

  onModuleDestroy(): void {
    clearTimeout(this.timer);
  }

  private async probe(service: DownstreamService): Promise<void> {
    const before = this.standings.get(service);
    try {
      await checkGrpcHealth(this.addresses[service], '', this.config.DOWNSTREAM_PROBE_MS);
      if (before && !before.up) {
        this.logger.log(`${service} answers again: its routes are back`);
      }
      this.standings.set(service, { up: true, detail: 'ok', misses: 0 });
    } catch (error) {
      const misses = (before?.misses ?? 0) + 1;
      const up = misses < MISSES_BEFORE_DOWN;
      if (!up && before?.up !== false) {
        this.logger.warn(`${service} does not answer (${String(error)}): its routes answer 503`);
      }
      this.standings.set(service, { up, detail: (error as Error).message, misses });
    }
  }

  /** Each service as last probed: `ok`, or why not (for `/readyz`, which reports without failing). */
  report(): Record<DownstreamService, string> {
    return Object.fromEntries(
      downstreamServices.map((s) => {
        const standing = this.standings.get(s);
        return [s, !standing ? 'not probed yet' : standing.up ? 'ok' : standing.detail];
      }),
    ) as Record<DownstreamService, string>;
  }

  /** Refuses at once, 503 with Retry-After, a call to a service that does not answer. */
  assertUp(service: DownstreamService): void {
    if (this.standings.get(service)?.up === false) {
      throw new ProblemError({
        type: 'service-unavailable',
        title: 'Service unavailable',
        status: 503,
        detail: `This needs the ${service} service, which is not answering just now. Everything else works; retry shortly.`,
        retryAfter: Math.max(1, Math.ceil((this.config.DOWNSTREAM_PROBE_MS * 2) / 1000)),
        service,
      });
    }
  }
}
