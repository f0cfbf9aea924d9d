import { Logger, type INestApplication } from '@nestjs/common';
import type { Server as GrpcServer } from '@grpc/grpc-js';
import type { Server as HttpServer } from 'node:http';
import { drainableHttpServer, draining } from '@fluxnote/telemetry';

/** After the grace period, what is still closing gets this long before the process exits anyway. */
const CLOSE_MARGIN_MS = 5_000;

function shutDownGrpc(server: GrpcServer, graceMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    const cut = setTimeout(() => {
      server.forceShutdown();
      resolve(false);
    }, graceMs);
    cut.unref();
    // no new calls from here; the callback comes when the calls in flight have answered
    server.tryShutdown(() => {
      clearTimeout(cut);
      resolve(true);
    });
  });
}

/**
 * How a service stops (SIGTERM, SIGINT, or the launcher gone): the drain begins (`/readyz` 503,
 * long polls and streams answer at once), the HTTP servers and the gRPC server take no new work
 * and finish what is in flight within `graceMs`, then the app closes (consumers finish their
 * batch, the relay and the database close) and the process exits 0. Past the grace period the
 * rest is cut; past it and a margin the process exits 1 whatever is still closing.
 */
export function stopGracefully(
  app: INestApplication,
  options: { name: string; graceMs: number; httpServers: HttpServer[]; grpcServers?: GrpcServer[] },
): void {
  const logger = new Logger(options.name);
  const drains = options.httpServers.map((server) => drainableHttpServer(server));
  let stopping = false;
  const stop = async (reason: string): Promise<void> => {
    if (stopping) {
      return;
    }
    stopping = true;
    const began = Date.now();
    setTimeout(() => {
      logger.error(
        `still closing ${options.graceMs + CLOSE_MARGIN_MS} ms after ${reason}: exiting`,
      );
      process.exit(1);
    }, options.graceMs + CLOSE_MARGIN_MS).unref();
    logger.log(`${reason}: draining (grace ${options.graceMs} ms)`);
    draining.begin();
    const finished = await Promise.all([
      ...drains.map((d) => d.drain(options.graceMs)),
      ...(options.grpcServers ?? []).map((server) => shutDownGrpc(server, options.graceMs)),
    ]);
    const drainedMs = Date.now() - began;
    await app.close();
    logger.log(
      finished.every(Boolean)
        ? `drained in ${drainedMs} ms, closed in ${Date.now() - began} ms`
        : `grace of ${options.graceMs} ms ran out: what was still in flight was cut`,
    );
    process.exit(0);
  };
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.once(signal, () => void stop(signal));
  }
  if (process.send) {
    // started by the launcher (an IPC channel exists): stop when it goes, even if it was killed
    process.once('disconnect', () => void stop('launcher gone'));
  }
}
