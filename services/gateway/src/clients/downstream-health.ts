import {
  Inject,
  Injectable,
  Logger,
  type OnModuleDestroy,
  type OnModuleInit,
} from '@nestjs/common';
import { ProblemError } from '@fluxnote/contracts';
import { GrpcHealthProbe } from '@fluxnote/grpc';
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
}

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
  private readonly probes: Record<DownstreamService, GrpcHealthProbe>;

  constructor(@Inject(GATEWAY_CONFIG) private readonly config: GatewayConfig) {
    this.probes = {
      accounts: new GrpcHealthProbe(config.ACCOUNTS_GRPC_URL),
      billing: new GrpcHealthProbe(config.BILLING_GRPC_URL),
      generation: new GrpcHealthProbe(config.GENERATION_GRPC_URL),
      notifications: new GrpcHealthProbe(config.NOTIFICATIONS_GRPC_URL),
      support: new GrpcHealthProbe(config.SUPPORT_GRPC_URL),
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
    for (const probe of Object.values(this.probes)) {
      probe.close();
    }
  }

  private async probe(service: DownstreamService): Promise<void> {
    const before = this.standings.get(service);
    try {
      await this.probes[service].check('', this.config.DOWNSTREAM_PROBE_MS);
      if (before && !before.up) {
        this.logger.log(`${service} answers again: its routes are back`);
      }
      this.standings.set(service, { up: true, detail: 'ok' });
    } catch (error) {
      if (before?.up !== false) {
        this.logger.warn(`${service} does not answer (${String(error)}): its routes answer 503`);
      }
      this.standings.set(service, { up: false, detail: (error as Error).message });
    }
  }

  /** For `/readyz`'s report: throws unless the last probe of `service` answered. */
  assertHeard(service: DownstreamService): void {
    const standing = this.standings.get(service);
    if (!standing) {
      throw new Error('not probed yet');
    }
    if (!standing.up) {
      throw new Error(standing.detail);
    }
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
