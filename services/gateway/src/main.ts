import './instrument';
import { Logger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { SwaggerModule, type OpenAPIObject } from '@nestjs/swagger';
import { loadConfigOrExit } from '@fluxnote/config';
import { stopGracefully } from '@fluxnote/grpc';
import { createLogger, PinoNestLogger, serveMetrics } from '@fluxnote/telemetry';
import {
  isDeadLettersCommand,
  isMigrateCommand,
  runDeadLetters,
  runMigrations,
} from '@fluxnote/platform';
import { gatewayConfigSchema } from './config/gateway.config';
import { GatewayModule } from './gateway.module';
import { ProblemFilter } from './http/problem.filter';
import { applySecurityHeaders } from './http/security-headers';
import { RefuseNulPipe } from './http/refuse-nul.pipe';
import { gatewayDatabase } from './gateway.database';
import { openApiDocument } from './api/document';

async function main(): Promise<void> {
  const config = loadConfigOrExit(gatewayConfigSchema, 'gateway');
  if (isMigrateCommand()) {
    return runMigrations(gatewayDatabase, config);
  }
  if (isDeadLettersCommand()) {
    return runDeadLetters(config);
  }
  const app = await NestFactory.create<NestExpressApplication>(GatewayModule.forRoot(config), {
    logger: new PinoNestLogger(createLogger('gateway', config.LOG_LEVEL)),
    bodyParser: false,
    // Keeps the bytes each JSON body was parsed from (webhook signatures cover those bytes).
    rawBody: true,
  });
  app.set(
    'trust proxy',
    config.TRUSTED_PROXIES === '' ? false : config.TRUSTED_PROXIES.split(',').map((p) => p.trim()),
  );
  applySecurityHeaders(app, config);
  app.useBodyParser('json', { limit: config.BODY_LIMIT });
  // Inbound email to support (raw MIME) and voice samples and photos (audio/*, image/*) arrive
  // raw; each travels on in one gRPC message (4 MiB at most), so larger bodies get 413 here.
  app.useBodyParser('raw', {
    type: ['message/rfc822', 'application/octet-stream', 'audio/*', 'image/*'],
    limit: '3mb',
  });
  app.useGlobalFilters(new ProblemFilter());
  app.useGlobalPipes(new RefuseNulPipe());
  // The document is made from the operations' own schemas (`api/openapi.ts`); Swagger UI renders it.
  SwaggerModule.setup('docs', app, openApiDocument() as unknown as OpenAPIObject, {
    jsonDocumentUrl: 'docs/openapi.json',
  });
  await app.listen(config.PORT, config.HOST);
  // /metrics is not on the public port: on HTTP_PORT, which only the cluster reaches.
  const metrics = await serveMetrics(config.HTTP_HOST, config.HTTP_PORT);
  metrics.unref();
  stopGracefully(app, {
    name: 'gateway',
    graceMs: config.SHUTDOWN_GRACE_MS,
    httpServers: [app.getHttpServer(), metrics],
  });
  new Logger('gateway').log(`ready: http ${config.HOST}:${config.PORT}`);
}

void main();
