import { Logger, type DynamicModule, type INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { createLogger, PinoNestLogger } from '@fluxnote/telemetry';
import { createHealth, GrpcProblemFilter, grpcServerOptions, markServing } from './grpc-server';
import type { GrpcServiceSpec } from './proto-files';

export interface ServiceRuntimeConfig {
  HTTP_HOST: string;
  HTTP_PORT: number;
  GRPC_HOST: string;
  GRPC_PORT: number;
  LOG_LEVEL: string;
}

/**
 * Starts one service: Nest with `/healthz`, `/readyz`, `/metrics` on HTTP and the
 * service's gRPC API (with the standard health service, SERVING once started).
 * SIGTERM and SIGINT close it gracefully.
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
  app.enableShutdownHooks();
  const health = createHealth(options.grpc);
  app.useGlobalFilters(new GrpcProblemFilter());
  if (options.grpc.length > 0) {
    // inheritAppConfig: the microservice gets the app's global filter (its own useGlobalFilters is ignored in hybrid apps).
    app.connectMicroservice(
      grpcServerOptions(options.grpc, `${config.GRPC_HOST}:${config.GRPC_PORT}`, health),
      {
        inheritAppConfig: true,
      },
    );
    await app.startAllMicroservices();
  }
  await app.listen(config.HTTP_PORT, config.HTTP_HOST);
  markServing(health, options.grpc);
  leaveWithLauncher(app);
  const address = (app.getHttpServer() as { address(): { port: number } | null }).address();
  new Logger(options.name).log(
    `ready: http ${config.HTTP_HOST}:${address?.port ?? config.HTTP_PORT}, grpc ${config.GRPC_HOST}:${config.GRPC_PORT}`,
  );
  return app;
}

/** Started by the launcher (an IPC channel exists): stop when it goes, even if it was killed without a word. */
export function leaveWithLauncher(app: INestApplication): void {
  if (process.send) {
    process.on('disconnect', () => void app.close().finally(() => process.exit(0)));
  }
}
