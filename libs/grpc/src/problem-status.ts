import { Metadata, status, type ServiceError } from '@grpc/grpc-js';
import { ProblemError, isProblem, type Problem } from '@fluxnote/contracts';

const PROBLEM_KEY = 'x-problem-json';

const statusByHttp: Record<number, status> = {
  400: status.INVALID_ARGUMENT,
  401: status.UNAUTHENTICATED,
  402: status.FAILED_PRECONDITION,
  403: status.PERMISSION_DENIED,
  404: status.NOT_FOUND,
  409: status.ALREADY_EXISTS,
  413: status.OUT_OF_RANGE,
  415: status.INVALID_ARGUMENT,
  422: status.FAILED_PRECONDITION,
  423: status.FAILED_PRECONDITION,
  429: status.RESOURCE_EXHAUSTED,
  503: status.UNAVAILABLE,
};

/** A gRPC error object (what grpc-js sends) carrying the problem in metadata. */
export function problemToGrpcError(problem: Problem): {
  code: status;
  details: string;
  metadata: Metadata;
} {
  const metadata = new Metadata();
  // Metadata values travel as HTTP/2 header values: printable ASCII only, so
  // anything else (curly quotes, other scripts) goes as JSON \u escapes.
  metadata.set(
    PROBLEM_KEY,
    JSON.stringify(problem).replace(
      /[^\x20-\x7e]/g,
      (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
    ),
  );
  return {
    code: statusByHttp[problem.status] ?? status.UNKNOWN,
    details: problem.detail,
    metadata,
  };
}

/** Turns a failed call back into the problem the server meant, or a generic one by status code. */
export function grpcErrorToProblem(error: Partial<ServiceError>, service: string): ProblemError {
  const raw = error.metadata?.get(PROBLEM_KEY)[0];
  if (typeof raw === 'string') {
    try {
      const parsed: unknown = JSON.parse(raw);
      if (isProblem(parsed)) {
        return new ProblemError(parsed);
      }
    } catch {
      // fall through to the status mapping
    }
  }
  switch (error.code) {
    case status.DEADLINE_EXCEEDED:
      return new ProblemError({
        type: 'upstream-timeout',
        title: 'Service timed out',
        status: 504,
        detail: `The ${service} service did not answer in time. Retry with the same Idempotency-Key.`,
      });
    case status.UNAVAILABLE:
      return ProblemError.unavailable(`The ${service} service is unavailable. Retry shortly.`);
    case status.INVALID_ARGUMENT:
      return ProblemError.badRequest(error.details ?? 'Invalid request.');
    case status.NOT_FOUND:
      return ProblemError.notFound(error.details ?? 'Not found.');
    default:
      return new ProblemError({
        type: 'internal',
        title: 'Internal error',
        status: 500,
        detail: `The ${service} service failed to answer.`,
      });
  }
}
