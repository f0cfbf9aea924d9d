import {
  applyDecorators,
  HttpCode,
  RequestMapping,
  RequestMethod,
  SetMetadata,
} from '@nestjs/common';
import type { z } from 'zod';
import { OpenToSuspended, Roles } from '../auth/auth.guard';
import type { ProblemSlug } from './problems';

export type Tag =
  | 'accounts'
  | 'billing'
  | 'generation'
  | 'notifications'
  | 'support'
  | 'agents'
  | 'operations'
  | 'webhooks';

/** A response the operation gives when it works: JSON, nothing (204), or Server-Sent Events. */
export type Success =
  | { description: string; json: z.ZodType }
  | { description: string; empty: true }
  | { description: string; events: { event: string; data: z.ZodType } };

/** Request headers the document describes (each is optional for the client). */
export type HeaderName =
  | 'Idempotency-Key'
  | 'Last-Event-ID'
  | 'Stripe-Signature'
  | 'X-Provider-Signature'
  | 'X-Inbound-Email-Secret';

/**
 * One public operation, written once: the route Nest serves (through `@Endpoint`), the schemas
 * the handler parses its input with, and what the OpenAPI document and the SDK are made from.
 */
export interface OperationSpec {
  method: 'get' | 'post' | 'put' | 'delete';
  /** OpenAPI form: `/v1/generations/{id}`. */
  path: string;
  operationId: string;
  tag: Tag;
  summary: string;
  description?: string;
  /** `bearer`: an access token; `none`: anyone; `header`: a signature or secret header. */
  auth: 'bearer' | 'none' | 'header';
  /** Only callers holding one of these roles (403 otherwise). */
  roles?: readonly string[];
  /** Suspended accounts may still call it (others answer 423). */
  openToSuspended?: boolean;
  /** What each `{name}` in the path is. */
  pathParams?: Record<string, string>;
  query?: z.ZodObject;
  body?: { json: z.ZodType } | { raw: readonly string[]; description: string };
  headers?: readonly HeaderName[];
  /** What it answers besides problems (success statuses; the first is the usual one). */
  responses: Partial<Record<200 | 201 | 202 | 204 | 503, Success>>;
  /** What can go wrong besides what every operation of its kind can answer (`openapi.ts`). */
  problems?: readonly ProblemSlug[];
  /** The route counts towards a rate limit (429 `rate-limited` with Retry-After). */
  rateLimited?: boolean;
}

/** Typed at the call site, so each operation's schemas keep their types for the handler. */
export function defineOperation<const T extends OperationSpec>(spec: T): T {
  return spec;
}

export const OPERATION = 'fluxnote:operation';

const methods = {
  get: RequestMethod.GET,
  post: RequestMethod.POST,
  put: RequestMethod.PUT,
  delete: RequestMethod.DELETE,
} as const;

/** The Nest route of an operation: its method, path, usual status, roles and suspension rule. */
export function Endpoint(spec: OperationSpec): MethodDecorator {
  const statuses = Object.keys(spec.responses).map(Number);
  return applyDecorators(
    RequestMapping({ method: methods[spec.method], path: spec.path.replace(/\{(\w+)\}/g, ':$1') }),
    HttpCode(statuses[0]),
    SetMetadata(OPERATION, spec),
    ...(spec.roles ? [Roles(...spec.roles)] : []),
    ...(spec.openToSuspended ? [OpenToSuspended()] : []),
  );
}
