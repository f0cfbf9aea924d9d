import {
  credentials,
  loadPackageDefinition,
  Metadata,
  type Client,
  type ServiceError,
} from '@grpc/grpc-js';
import { loadSync } from '@grpc/proto-loader';
import { join } from 'node:path';
import type { Observable } from 'rxjs';
import { grpcErrorToProblem } from './problem-status';
import { protoLoaderOptions, protoRoot, type GrpcServiceSpec } from './proto-files';

export interface CallOptions {
  /** Overrides the client's default deadline. */
  deadlineMs?: number;
  metadata?: Metadata;
}

/** The ts-proto `XServiceClient` interface turned into promises with per-call deadlines. */
export type PromiseClient<T> = {
  [K in keyof T]: T[K] extends (request: infer Req, metadata?: Metadata) => Observable<infer Res>
    ? (request: Req, options?: CallOptions) => Promise<Res>
    : never;
};

type UnaryMethod = (
  request: unknown,
  metadata: Metadata,
  options: { deadline: Date },
  callback: (error: ServiceError | null, response: unknown) => void,
) => void;

export interface GrpcClientHandle<T> {
  client: PromiseClient<T>;
  close(): void;
}

/**
 * A typed client for one service. Every call has a deadline; failures come back
 * as `ProblemError`s (the server's own problem when it sent one).
 */
export function createGrpcClient<T>(
  spec: GrpcServiceSpec,
  address: string,
  defaults: { deadlineMs: number; serviceLabel?: string },
): GrpcClientHandle<T> {
  const definition = loadSync(join(protoRoot(), spec.file), {
    ...protoLoaderOptions,
    includeDirs: [protoRoot()],
  });
  const loaded = loadPackageDefinition(definition) as unknown as Record<string, unknown>;
  const pkg = spec.package
    .split('.')
    .reduce<Record<string, unknown> | undefined>(
      (node, part) => node?.[part] as Record<string, unknown> | undefined,
      loaded,
    );
  const ctor = pkg?.[spec.service];
  if (typeof ctor !== 'function') {
    throw new Error(`gRPC service ${spec.package}.${spec.service} not found in ${spec.file}`);
  }
  const raw = new (
    ctor as new (address: string, creds: ReturnType<typeof credentials.createInsecure>) => Client
  )(address, credentials.createInsecure());
  const label = defaults.serviceLabel ?? spec.service;
  const client = new Proxy(
    {},
    {
      get(_target, method: string) {
        const fn = (raw as unknown as Record<string, UnaryMethod | undefined>)[method];
        if (typeof fn !== 'function') {
          return undefined;
        }
        return (request: unknown, options: CallOptions = {}) =>
          new Promise((resolve, reject) => {
            const deadline = new Date(Date.now() + (options.deadlineMs ?? defaults.deadlineMs));
            fn.call(
              raw,
              request,
              options.metadata ?? new Metadata(),
              { deadline },
              (error, response) => {
                if (error) {
                  reject(grpcErrorToProblem(error, label));
                } else {
                  resolve(response);
                }
              },
            );
          });
      },
    },
  ) as PromiseClient<T>;
  return { client, close: () => raw.close() };
}
