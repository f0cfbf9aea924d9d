import { NestFactory } from '@nestjs/core';
import type { INestApplication } from '@nestjs/common';
import request from 'supertest';
import { draining } from '../draining';
import { ObservabilityModule } from './observability.module';

describe('ObservabilityModule while the process drains', () => {
  let app: INestApplication;
  let url: string;

  beforeAll(async () => {
    app = await NestFactory.create(
      ObservabilityModule.forRoot({
        service: 'observability-spec',
        checks: { database: () => Promise.resolve() },
      }),
      { logger: false },
    );
    await app.listen(0, '127.0.0.1');
    url = (await app.getUrl()).replace('[::1]', '127.0.0.1');
  });

  afterAll(async () => {
    await app.close();
  });

  it('is ready until the drain begins, then not ready whatever its checks say; alive throughout', async () => {
    await request(url)
      .get('/readyz')
      .expect(200, { status: 'ready', checks: { database: 'ok' } });
    draining.begin();
    await request(url).get('/readyz').expect(503, { status: 'draining', checks: {} });
    await request(url).get('/healthz').expect(200, { status: 'ok' });
  });
});
