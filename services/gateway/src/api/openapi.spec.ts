import { METHOD_METADATA, PATH_METADATA } from '@nestjs/common/constants';
import { RequestMethod } from '@nestjs/common';
import { gatewayControllers } from '../gateway.module';
import { defineOperation, OPERATION, type OperationSpec } from './endpoint';
import { buildOpenApiDocument, problemsOf } from './openapi';
import { operations } from './operations';

type Doc = {
  paths: Record<string, Record<string, { responses: Record<string, unknown>; summary?: string }>>;
};

/** `METHOD /path` of every route the gateway's controllers serve, in OpenAPI form. */
function servedRoutes(): { route: string; operation: OperationSpec | undefined }[] {
  const routes: { route: string; operation: OperationSpec | undefined }[] = [];
  for (const controller of gatewayControllers) {
    const prefix = String(Reflect.getMetadata(PATH_METADATA, controller) ?? '');
    const prototype = controller.prototype as Record<string, unknown>;
    for (const name of Object.getOwnPropertyNames(prototype)) {
      const handler = prototype[name];
      if (
        name === 'constructor' ||
        typeof handler !== 'function' ||
        !Reflect.hasMetadata(PATH_METADATA, handler)
      ) {
        continue;
      }
      const method = RequestMethod[Reflect.getMetadata(METHOD_METADATA, handler) as number];
      const path = [prefix, String(Reflect.getMetadata(PATH_METADATA, handler))]
        .join('/')
        .replace(/\/+/g, '/')
        .replace(/:(\w+)/g, '{$1}');
      routes.push({
        route: `${method} ${path.startsWith('/') ? path : `/${path}`}`,
        operation: Reflect.getMetadata(OPERATION, handler) as OperationSpec | undefined,
      });
    }
  }
  return routes;
}

describe('the OpenAPI document', () => {
  const document = buildOpenApiDocument(operations) as unknown as Doc;

  it('has an operation for every route the gateway serves, and a route for every operation', () => {
    const served = servedRoutes();
    expect(served.filter((r) => !r.operation).map((r) => r.route)).toEqual([]);
    const documented = operations.map((o) => `${o.method.toUpperCase()} ${o.path}`);
    // /healthz and /readyz are served by the telemetry lib's health controller
    const fromTelemetry = ['GET /healthz', 'GET /readyz'];
    expect(served.map((r) => r.route).sort()).toEqual(
      documented.filter((r) => !fromTelemetry.includes(r)).sort(),
    );
    expect(operations).toHaveLength(79);
  });

  it('gives every operation a summary, a success answer and the problems it can answer', () => {
    for (const methods of Object.values(document.paths)) {
      for (const operation of Object.values(methods)) {
        expect(operation.summary).toBeTruthy();
        const statuses = Object.keys(operation.responses).map(Number);
        expect(statuses.some((s) => s < 300)).toBe(true);
        expect(statuses).toContain(503);
      }
    }
    expect(Object.keys(document.paths['/v1/auth/login'].post.responses)).toEqual(
      expect.arrayContaining(['200', '202', '400', '401', '423', '429']),
    );
    expect(document.paths['/v1/auth/login'].post.responses).not.toHaveProperty('201');
  });

  const base = {
    method: 'get',
    path: '/x',
    operationId: 'x',
    tag: 'operations',
    summary: 'x',
  } as const;
  it.each([
    ['no input, no token', { auth: 'none' }, ['service-unavailable', 'upstream-timeout']],
    [
      'a body, a path id, a token, roles',
      { auth: 'bearer', roles: ['admin'], pathParams: { id: 'id' }, body: { json: {} } },
      [
        'invalid-request',
        'unauthorized',
        'session-ended',
        'forbidden',
        'not-found',
        'payload-too-large',
        'account-suspended',
        'account-locked',
        'account-frozen',
        'account-deleting',
        'service-unavailable',
        'upstream-timeout',
      ],
    ],
    [
      'open to suspended, rate limited, idempotent',
      { auth: 'bearer', openToSuspended: true, rateLimited: true, headers: ['Idempotency-Key'] },
      [
        'invalid-request',
        'unauthorized',
        'session-ended',
        'conflict',
        'idempotency-key-reused',
        'rate-limited',
        'service-unavailable',
        'upstream-timeout',
      ],
    ],
    [
      'a POST that reads no body (its JSON is parsed all the same)',
      { auth: 'none', method: 'post' },
      ['invalid-request', 'payload-too-large'],
    ],
    [
      'a raw upload',
      { auth: 'bearer', body: { raw: ['image/png'], description: 'a photo' } },
      ['unsupported-media-type', 'payload-too-large'],
    ],
  ])('%s can answer what its kind answers', (_name, traits, expected) => {
    const spec = defineOperation({ ...base, responses: {}, ...traits } as OperationSpec);
    const problems = problemsOf(spec);
    if (traits.auth === 'none' && !('method' in traits)) {
      expect(problems).toEqual(expected);
    } else {
      expect(problems).toEqual(expect.arrayContaining(expected));
    }
  });
});
