import { Controller, Get, HttpException, Module, Param } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { INestApplication } from '@nestjs/common';
import request from 'supertest';
import { ObservabilityModule, metricsRegistry } from './nest/observability.module';
import { requestMetricNames } from './request-metrics';

@Controller('v1/things')
class ThingsController {
  @Get(':id')
  thing(@Param('id') id: string): { id: string } {
    if (id === 'missing') {
      throw new HttpException('no such thing', 404);
    }
    return { id };
  }
}

@Module({
  imports: [ObservabilityModule.forRoot({ service: 'request-metrics-spec', checks: {} })],
  controllers: [ThingsController],
})
class AppModule {}

/** The histogram's count for exactly these labels (libs/testing's `metricValue` sits above this lib). */
async function countOf(labels: Record<string, string>): Promise<number> {
  const values = (await metricsRegistry.getSingleMetric(requestMetricNames.http)!.get()).values;
  const count = values.find(
    (v) =>
      (v as { metricName?: string }).metricName === `${requestMetricNames.http}_count` &&
      Object.entries(labels).every(([key, value]) => v.labels[key] === value),
  );
  return count?.value ?? 0;
}

describe('HTTP request metrics', () => {
  let app: INestApplication;

  beforeAll(async () => {
    app = await NestFactory.create(AppModule, { logger: false });
    await app.init();
  });

  afterAll(async () => {
    await app.close();
  });

  it('times each request under its route template and status, never its URL', async () => {
    await request(app.getHttpServer()).get('/v1/things/a1').expect(200);
    await request(app.getHttpServer()).get('/v1/things/b2').expect(200);
    await request(app.getHttpServer()).get('/v1/things/missing').expect(404);
    await request(app.getHttpServer()).get('/nowhere/7').expect(404);
    await request(app.getHttpServer()).get('/healthz').expect(200);

    expect(await countOf({ method: 'GET', route: '/v1/things/:id', status: '200' })).toBe(2);
    expect(await countOf({ method: 'GET', route: '/v1/things/:id', status: '404' })).toBe(1);
    expect(await countOf({ method: 'GET', route: 'unmatched', status: '404' })).toBe(1);
    expect(await countOf({ method: 'GET', route: '/healthz', status: '200' })).toBe(1);
    const text = await metricsRegistry.getSingleMetricAsString(requestMetricNames.http);
    expect(text).not.toContain('a1');
    expect(text).toMatch(
      /^fluxnote_http_request_duration_seconds_bucket\{le="0\.1",service="request-metrics-spec",method="GET",route="\/v1\/things\/:id",status="200"\} 2$/m,
    );
  });
});
