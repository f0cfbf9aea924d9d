import { PATTERN_METADATA } from '@nestjs/microservices/constants';

interface GrpcPattern {
  service: string;
  rpc: string;
  streaming: unknown;
}

const isGrpcPattern = (pattern: unknown): pattern is GrpcPattern =>
  typeof pattern === 'object' && pattern !== null && 'service' in pattern && 'rpc' in pattern;

/**
 * Serves every gRPC method of a controller also under `legacyService`, the name its callers used
 * before the service was split by feature. Services are upgraded one at a time, so for one release
 * a new service still answers a caller on the old name; the same handler answers both. Put it
 * above the generated `…ControllerMethods()` decorator (class decorators apply bottom up).
 */
export function AlsoServedAs(legacyService: string): ClassDecorator {
  return (target) => {
    const prototype = (target as unknown as { prototype: object }).prototype;
    for (const name of Object.getOwnPropertyNames(prototype)) {
      const method: unknown = Object.getOwnPropertyDescriptor(prototype, name)?.value;
      if (typeof method !== 'function') {
        continue;
      }
      const patterns =
        (Reflect.getMetadata(PATTERN_METADATA, method) as unknown[] | undefined) ?? [];
      const served = patterns.filter(isGrpcPattern);
      if (served.length > 0) {
        Reflect.defineMetadata(
          PATTERN_METADATA,
          [...patterns, ...served.map((p) => ({ ...p, service: legacyService }))],
          method,
        );
      }
    }
  };
}
