import { Controller, Get, Header, Inject, Module, Res, type DynamicModule } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import { createServer, type Server } from 'node:http';
import { collectDefaultMetrics, Registry } from 'prom-client';

/** A check `/readyz` runs; resolve when ready, throw (or reject) with the reason when not. */
export type ReadinessCheck = (moduleRef: ModuleRef) => Promise<void>;

const CHECKS = Symbol('READINESS_CHECKS');

export const metricsRegistry = new Registry();
let defaultsCollected = false;

@Controller()
class HealthController {
  constructor(
    @Inject(CHECKS) private readonly checks: Record<string, ReadinessCheck>,
    private readonly moduleRef: ModuleRef,
  ) {}

  @Get('healthz')
  healthz(): { status: 'ok' } {
    return { status: 'ok' };
  }

  @Get('readyz')
  async readyz(
    @Res() response: { status(code: number): { json(body: unknown): void } },
  ): Promise<void> {
    const results: Record<string, string> = {};
    let ready = true;
    await Promise.all(
      Object.entries(this.checks).map(async ([name, check]) => {
        try {
          await check(this.moduleRef);
          results[name] = 'ok';
        } catch (error) {
          ready = false;
          results[name] = error instanceof Error ? error.message : String(error);
        }
      }),
    );
    response
      .status(ready ? 200 : 503)
      .json({ status: ready ? 'ready' : 'not ready', checks: results });
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
 */
@Module({})
export class ObservabilityModule {
  static forRoot(options: {
    service: string;
    checks: Record<string, ReadinessCheck>;
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
      providers: [{ provide: CHECKS, useValue: options.checks }],
    };
  }
}
