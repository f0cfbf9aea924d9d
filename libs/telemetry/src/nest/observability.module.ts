import {
  Controller,
  Get,
  Header,
  Inject,
  Module,
  RequestMethod,
  Res,
  type DynamicModule,
  type MiddlewareConsumer,
  type NestModule,
} from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import { createServer, type Server } from 'node:http';
import { collectDefaultMetrics, Registry } from 'prom-client';
import { draining } from '../draining';
import { httpRequestMetrics } from '../request-metrics';

/** A check `/readyz` runs; resolve when ready, throw (or reject) with the reason when not. */
export type ReadinessCheck = (moduleRef: ModuleRef) => Promise<void>;

const CHECKS = Symbol('READINESS_CHECKS');
const DEPENDENCIES = Symbol('READINESS_DEPENDENCIES');

export const metricsRegistry = new Registry();
let defaultsCollected = false;

@Controller()
class HealthController {
  constructor(
    @Inject(CHECKS) private readonly checks: Record<string, ReadinessCheck>,
    @Inject(DEPENDENCIES) private readonly dependencies: Record<string, ReadinessCheck>,
    private readonly moduleRef: ModuleRef,
  ) {}

  private async run(
    checks: Record<string, ReadinessCheck>,
  ): Promise<{ ok: boolean; results: Record<string, string> }> {
    const results: Record<string, string> = {};
    let ok = true;
    await Promise.all(
      Object.entries(checks).map(async ([name, check]) => {
        try {
          await check(this.moduleRef);
          results[name] = 'ok';
        } catch (error) {
          ok = false;
          results[name] = error instanceof Error ? error.message : String(error);
        }
      }),
    );
    return { ok, results };
  }

  @Get('healthz')
  healthz(): { status: 'ok' } {
    return { status: 'ok' };
  }

  @Get('readyz')
  async readyz(
    @Res() response: { status(code: number): { json(body: unknown): void } },
  ): Promise<void> {
    // Ready is this process's own: its checks. Services it calls are reported, and a missing one
    // degrades only what needs it: readiness never cascades from one service to the next.
    // A stopping process is not ready, whatever its checks say: traffic goes to the others.
    if (draining.active) {
      response.status(503).json({ status: 'draining', checks: {} });
      return;
    }
    const [own, others] = await Promise.all([this.run(this.checks), this.run(this.dependencies)]);
    response.status(own.ok ? 200 : 503).json({
      status: !own.ok ? 'not ready' : others.ok ? 'ready' : 'degraded',
      checks: own.results,
      ...(Object.keys(this.dependencies).length > 0 ? { dependencies: others.results } : {}),
    });
  }
}

@Controller()
class MetricsController {
  @Get('metrics')
  @Header('Content-Type', metricsRegistry.contentType)
  metrics(): Promise<string> {
    return metricsRegistry.metrics();
  }
}

/**
 * `/metrics` on a port of its own, for a service whose HTTP port is public (the gateway): what
 * Prometheus scrapes stays off the Ingress. Resolves once listening; `close()` stops it.
 */
export function serveMetrics(host: string, port: number): Promise<Server> {
  const server = createServer((request, response) => {
    if (request.method !== 'GET' || (request.url ?? '').split('?')[0] !== '/metrics') {
      response.writeHead(404, { 'content-type': 'text/plain' }).end('not found\n');
      return;
    }
    metricsRegistry.metrics().then(
      (body) => response.writeHead(200, { 'content-type': metricsRegistry.contentType }).end(body),
      () => response.writeHead(500).end(),
    );
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve(server));
  });
}

/**
 * `/healthz` (process alive), `/readyz` (dependencies reachable) and `/metrics` (Prometheus) —
 * unless `metricsApart`, for a service that serves `/metrics` on its own port (`serveMetrics`).
 * Every HTTP request the app answers is timed into `fluxnote_http_request_duration_seconds`.
 */
@Module({})
export class ObservabilityModule implements NestModule {
  configure(consumer: MiddlewareConsumer): void {
    consumer
      .apply(httpRequestMetrics(metricsRegistry))
      .forRoutes({ path: '{*path}', method: RequestMethod.ALL });
  }

  static forRoot(options: {
    service: string;
    checks: Record<string, ReadinessCheck>;
    /** Services this one calls: reported by `/readyz`, never making it unready. */
    dependencies?: Record<string, ReadinessCheck>;
    metricsApart?: boolean;
  }): DynamicModule {
    if (!defaultsCollected) {
      metricsRegistry.setDefaultLabels({ service: options.service });
      collectDefaultMetrics({ register: metricsRegistry });
      defaultsCollected = true;
    }
    return {
      module: ObservabilityModule,
      controllers: options.metricsApart
        ? [HealthController]
        : [HealthController, MetricsController],
      providers: [
        { provide: CHECKS, useValue: options.checks },
        { provide: DEPENDENCIES, useValue: options.dependencies ?? {} },
      ],
    };
  }
}
