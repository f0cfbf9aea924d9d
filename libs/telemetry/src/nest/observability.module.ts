import { Controller, Get, Header, Inject, Module, Res, type DynamicModule } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
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

  @Get('metrics')
  @Header('Content-Type', metricsRegistry.contentType)
  metrics(): Promise<string> {
    return metricsRegistry.metrics();
  }
}

/** `/healthz` (process alive), `/readyz` (dependencies reachable) and `/metrics` (Prometheus). */
@Module({})
export class ObservabilityModule {
  static forRoot(options: {
    service: string;
    checks: Record<string, ReadinessCheck>;
  }): DynamicModule {
    if (!defaultsCollected) {
      metricsRegistry.setDefaultLabels({ service: options.service });
      collectDefaultMetrics({ register: metricsRegistry });
      defaultsCollected = true;
    }
    return {
      module: ObservabilityModule,
      controllers: [HealthController],
      providers: [{ provide: CHECKS, useValue: options.checks }],
    };
  }
}
