/** RFC 9457 problem details, the error shape of the public API and of gRPC errors between services. */
export interface Problem {
  /** A short slug; the gateway turns it into a URI (`https://fluxnote.dev/problems/<type>`). */
  type: string;
  title: string;
  status: number;
  detail: string;
  [extra: string]: unknown;
}

/**
 * A refusal the caller should see as it is: thrown by services, carried over gRPC
 * in metadata, and rendered as problem+json by the gateway.
 */
export class ProblemError extends Error {
  override readonly name = 'ProblemError';
  constructor(readonly problem: Problem) {
    super(problem.detail);
  }

  static badRequest(detail: string, extras: Record<string, unknown> = {}): ProblemError {
    return new ProblemError({
      type: 'invalid-request',
      title: 'Invalid request',
      status: 400,
      detail,
      ...extras,
    });
  }
  static unauthorized(detail = 'Authentication is required.'): ProblemError {
    return new ProblemError({ type: 'unauthorized', title: 'Unauthorized', status: 401, detail });
  }
  static forbidden(detail: string, extras: Record<string, unknown> = {}): ProblemError {
    return new ProblemError({
      type: 'forbidden',
      title: 'Forbidden',
      status: 403,
      detail,
      ...extras,
    });
  }
  static notFound(detail: string): ProblemError {
    return new ProblemError({ type: 'not-found', title: 'Not found', status: 404, detail });
  }
  static conflict(detail: string, extras: Record<string, unknown> = {}): ProblemError {
    return new ProblemError({
      type: 'conflict',
      title: 'Conflict',
      status: 409,
      detail,
      ...extras,
    });
  }
  static insufficientCredits(detail: string, extras: Record<string, unknown> = {}): ProblemError {
    return new ProblemError({
      type: 'insufficient-credits',
      title: 'Not enough credits',
      status: 402,
      detail,
      ...extras,
    });
  }
  static unprocessable(
    type: string,
    title: string,
    detail: string,
    extras: Record<string, unknown> = {},
  ): ProblemError {
    return new ProblemError({ type, title, status: 422, detail, ...extras });
  }
  static unavailable(detail: string): ProblemError {
    return new ProblemError({
      type: 'service-unavailable',
      title: 'Service unavailable',
      status: 503,
      detail,
    });
  }
}

export function isProblem(value: unknown): value is Problem {
  if (typeof value !== 'object' || value === null) {
    return false;
  }
  const v = value as Record<string, unknown>;
  return (
    typeof v['type'] === 'string' &&
    typeof v['status'] === 'number' &&
    typeof v['title'] === 'string'
  );
}
