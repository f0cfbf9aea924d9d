import {
  makeGenericClientConstructor,
  credentials,
  Metadata,
  status,
  type Server,
  type ServiceError,
} from '@grpc/grpc-js';
import {
  Catch,
  HttpException,
  Logger,
  type ArgumentsHost,
  type ExceptionFilter,
} from '@nestjs/common';
import { Transport, type GrpcOptions } from '@nestjs/microservices';
import { HealthImplementation, service as healthService } from 'grpc-health-check';
import { join } from 'node:path';
import { throwError, type Observable } from 'rxjs';
import { ProblemError } from '@fluxnote/contracts';
import { metricsRegistry } from '@fluxnote/telemetry';
import { grpcServerMetrics } from './grpc-metrics';
import { problemToGrpcError } from './problem-status';
import { protoLoaderOptions, protoRoot, type GrpcServiceSpec } from './proto-files';

/**
 * Nest microservice options for a service's gRPC server, with the standard health service.
 * `onServer` gets the grpc-js server itself once Nest has made it (to drain it on SIGTERM).
 * Every call is timed into `fluxnote_grpc_server_duration_seconds` (`grpcServerMetrics`).
 */
export function grpcServerOptions(
  specs: GrpcServiceSpec[],
  url: string,
  health: HealthImplementation,
  onServer?: (server: Server) => void,
): GrpcOptions {
  return {
    transport: Transport.GRPC,
    options: {
      url,
      // One entry per package: Nest binds every service of a package it is given, so a repeat would bind twice.
      package: [...new Set(specs.map((s) => s.package))],
      // One file may hold several services (generation's, one per feature): each file once.
      protoPath: [...new Set(specs.map((s) => join(protoRoot(), s.file)))],
      loader: { ...protoLoaderOptions, includeDirs: [protoRoot()] },
      // Nest hands these to the grpc-js server it makes: every call is timed on /metrics.
      channelOptions: { interceptors: [grpcServerMetrics(metricsRegistry)] },
      // Nest passes the grpc-js server it made (its own typing says only addService)
      onLoadPackageDefinition: (_pkg: unknown, server: Pick<Server, 'addService'>) => {
        health.addToServer(server);
        onServer?.(server as Server);
      },
    },
  };
}

export function createHealth(specs: GrpcServiceSpec[]): HealthImplementation {
  return new HealthImplementation({
    '': 'NOT_SERVING',
    ...Object.fromEntries(specs.map((s) => [`${s.package}.${s.service}`, 'NOT_SERVING' as const])),
  });
}

export function markServing(health: HealthImplementation, specs: GrpcServiceSpec[]): void {
  health.setStatus('', 'SERVING');
  for (const s of specs) {
    health.setStatus(`${s.package}.${s.service}`, 'SERVING');
  }
}

/**
 * Every error leaving a gRPC handler: a `ProblemError` travels as its problem
 * (status code + metadata); anything else is logged and reported as INTERNAL
 * without leaking its message. On the service's own HTTP routes (health,
 * metrics) errors become plain JSON.
 */
@Catch()
export class GrpcProblemFilter implements ExceptionFilter {
  private readonly logger = new Logger('gRPC');

  catch(exception: unknown, host: ArgumentsHost): Observable<never> | void {
    if (host.getType() === 'http') {
      const status = exception instanceof HttpException ? exception.getStatus() : 500;
      if (status >= 500) {
        this.logger.error(describe(exception));
      }
      host
        .switchToHttp()
        .getResponse<{ status(code: number): { json(body: unknown): void } }>()
        .status(status)
        .json({ status });
      return;
    }
    if (exception instanceof ProblemError) {
      return throwError(() => problemToGrpcError(exception.problem));
    }
    if (isDataException(exception)) {
      // A value the database cannot take (an id that is no uuid, a number out of range) that no
      // check caught first: the caller's input, not a fault of ours.
      this.logger.warn(`refused as invalid input: ${describe(exception)}`);
      return throwError(() =>
        problemToGrpcError(
          ProblemError.badRequest('A value in the request is not valid here.').problem,
        ),
      );
    }
    this.logger.error(describe(exception));
    return throwError(() => ({
      code: status.INTERNAL,
      details: 'internal error',
      metadata: new Metadata(),
    }));
  }
}

/** Postgres' class 22, "data exception" (invalid text representation, out of range, …). */
function isDataException(exception: unknown): boolean {
  const code = (exception as { code?: unknown } | null)?.code;
  return typeof code === 'string' && /^22[0-9A-Z]{3}$/.test(code);
}

function describe(exception: unknown): string {
  return exception instanceof Error ? (exception.stack ?? exception.message) : String(exception);
}

const HealthClient = makeGenericClientConstructor(healthService, 'grpc.health.v1.Health');

/**
 * A gRPC server's health service on one kept channel, for a caller that asks often (the gateway
 * probing the services behind it): `check` resolves while `service` (default: the whole server)
 * is serving.
 */
export class GrpcHealthProbe {
  private readonly client: InstanceType<typeof HealthClient>;

  constructor(private readonly address: string) {
    // A server that restarts is heard again within a second, not after the channel's default
    // reconnect backoff (up to two minutes).
    this.client = new HealthClient(address, credentials.createInsecure(), {
      'grpc.initial_reconnect_backoff_ms': 100,
      'grpc.max_reconnect_backoff_ms': 1000,
    });
  }

  check(service = '', deadlineMs = 1000): Promise<void> {
    return askHealth(this.client, this.address, service, deadlineMs);
  }

  close(): void {
    this.client.close();
  }
}

function askHealth(
  client: InstanceType<typeof HealthClient>,
  address: string,
  service: string,
  deadlineMs: number,
): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const deadline = new Date(Date.now() + deadlineMs);
    (
      client as unknown as Record<
        string,
        (
          req: unknown,
          md: Metadata,
          o: unknown,
          cb: (e: ServiceError | null, r: { status: string }) => void,
        ) => void
      >
    )['check']({ service }, new Metadata(), { deadline }, (error, response) => {
      if (error) {
        reject(new Error(`${address}: ${error.details || error.message}`));
      } else if (response.status !== 'SERVING') {
        reject(new Error(`${address}: ${response.status}`));
      } else {
        resolve();
      }
    });
  });
}

export { protoRoot, protoLoaderOptions };
