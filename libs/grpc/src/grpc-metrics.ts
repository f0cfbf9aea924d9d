import { ServerInterceptingCall, status, type ServerInterceptor } from '@grpc/grpc-js';
import type { Registry } from 'prom-client';
import { histogramOn, requestMetricNames } from '@fluxnote/telemetry';

const codeNames = new Map<number, string>(
  Object.entries(status)
    .filter((entry): entry is [string, number] => typeof entry[1] === 'number')
    .map(([name, code]) => [code, name]),
);

/**
 * A grpc-js server interceptor timing each call, from its arrival to its status (or the
 * caller's cancel), into `fluxnote_grpc_server_duration_seconds{grpc_service,grpc_method,
 * grpc_type,grpc_code}`: `billing.v1.LedgerService`, `Reserve`, `unary`, `OK`.
 */
export function grpcServerMetrics(registry: Registry): ServerInterceptor {
  const histogram = histogramOn(registry, {
    name: requestMetricNames.grpc,
    help: 'gRPC calls this server answered, by service, method, kind and status code',
    labelNames: ['grpc_service', 'grpc_method', 'grpc_type', 'grpc_code'] as const,
  });
  return (method, call) => {
    const [service = 'unknown', name = 'unknown'] = method.path.slice(1).split('/');
    const kind = method.requestStream
      ? method.responseStream
        ? 'bidi_stream'
        : 'client_stream'
      : method.responseStream
        ? 'server_stream'
        : 'unary';
    const end = histogram.startTimer({ grpc_service: service, grpc_method: name, grpc_type: kind });
    let done = false;
    const finish = (code: number): void => {
      if (!done) {
        done = true;
        end({ grpc_code: codeNames.get(code) ?? String(code) });
      }
    };
    return new ServerInterceptingCall(call, {
      start: (next) => next({ onCancel: () => finish(status.CANCELLED) }),
      sendStatus: (sent, next) => {
        finish(sent.code);
        next(sent);
      },
    });
  };
}
