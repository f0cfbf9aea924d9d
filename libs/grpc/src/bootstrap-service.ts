import { Logger, type DynamicModule, type INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { Server as GrpcServer } from '@grpc/grpc-js';
import type { Server as HttpServer } from 'node:http';
import { createLogger, PinoNestLogger } from '@fluxnote/telemetry';
import { createHealth, GrpcProblemFilter, grpcServerOptions, markServing } from './grpc-server';
import type { GrpcServiceSpec } from './proto-files';
import { stopGracefully } from './stop-gracefully';

export interface ServiceRuntimeConfig {
  HTTP_HOST: string;
  HTTP_PORT: number;
  GRPC_HOST: string;
  GRPC_PORT: number;
  LOG_LEVEL: string;
  SHUTDOWN_GRACE_MS: number;
}

/**
 * Starts one service: Nest with `/healthz`, `/readyz`, `/metrics` on HTTP and the
 * service's gRPC API (with the standard health service, SERVING once started).
 * SIGTERM and SIGINT drain it (`stopGracefully`): no new calls, the ones in flight finish.
 */
export async function bootstrapService(options: {
  name: string;
  module: DynamicModule;
  grpc: GrpcServiceSpec[];
  config: ServiceRuntimeConfig;
}): Promise<INestApplication> {
  const { config } = options;
  const logger = createLogger(options.name, config.LOG_LEVEL);
  const app = await NestFactory.create(options.module, {
    logger: new PinoNestLogger(logger),
    bufferLogs: false,
  });
  const health = createHealth(options.grpc);
  const grpcServers: GrpcServer[] = [];
  app.useGlobalFilters(new GrpcProblemFilter());
  if (options.grpc.length > 0) {
    // inheritAppConfig: the microservice gets the app's global filter (its own useGlobalFilters is ignored in hybrid apps).
    app.connectMicroservice(
      grpcServerOptions(options.grpc, `${config.GRPC_HOST}:${config.GRPC_PORT}`, health, (server) =>
        grpcServers.push(server),
      ),
      {
        inheritAppConfig: true,
      },
    );
    await app.startAllMicroservices();
  }
  await app.listen(config.HTTP_PORT, config.HTTP_HOST);
  markServing(health, options.grpc);
  // The health stays SERVING while draining: the gateway probes a service as a whole, so one
  // stopping pod saying NOT_SERVING would take every pod's routes out. The drain's GOAWAY moves
  // the callers' connections to the other pods instead.
  stopGracefully(app, {
    name: options.name,
    graceMs: config.SHUTDOWN_GRACE_MS,
    httpServers: [app.getHttpServer() as HttpServer],
    grpcServers,
  });
  const address = (app.getHttpServer() as { address(): { port: number } | null }).address();
  new Logger(options.name).log(
    `ready: http ${config.HTTP_HOST}:${address?.port ?? config.HTTP_PORT}, grpc ${config.GRPC_HOST}:${config.GRPC_PORT}`,
  );
  return app;
}
