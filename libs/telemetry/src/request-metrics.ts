import type { Registry } from 'prom-client';
import { histogramOn } from './registered-metrics';

/** The names the dashboard and alerts read. */
export const requestMetricNames = {
  http: 'fluxnote_http_request_duration_seconds',
  grpc: 'fluxnote_grpc_server_duration_seconds',
} as const;

interface HttpRequestLike {
  method: string;
  /** Express's matched route: its path is the template (`/v1/jobs/:id`), never the URL. */
  route?: { path?: unknown };
}

interface HttpResponseLike {
  statusCode: number;
  once(event: 'finish' | 'close', listener: () => void): unknown;
}

/**
 * Express middleware timing each request to its last byte (or the client's hang-up) into
 * `fluxnote_http_request_duration_seconds{method,route,status}`. The route is the matched
 * template, so ids do not make new series; a request no route matched counts as `unmatched`.
 */
export function httpRequestMetrics(
  registry: Registry,
): (request: HttpRequestLike, response: HttpResponseLike, next: () => void) => void {
  const histogram = histogramOn(registry, {
    name: requestMetricNames.http,
    help: 'HTTP requests by method, matched route and status, from arrival to the last byte sent',
    labelNames: ['method', 'route', 'status'] as const,
  });
  return (request, response, next) => {
    const end = histogram.startTimer();
    // Mounted as a catch-all route (Nest's middleware), this middleware is the request's route
    // until a real one matches: a request that keeps it matched nothing.
    const mountedAs = request.route;
    let done = false;
    const finish = (): void => {
      if (done) {
        return;
      }
      done = true;
      const route = request.route === mountedAs ? undefined : request.route?.path;
      end({
        method: request.method,
        route: typeof route === 'string' ? route : 'unmatched',
        status: String(response.statusCode),
      });
    };
    response.once('finish', finish);
    response.once('close', finish);
    next();
  };
}
