import { ArgumentsHost, Catch, HttpException, Logger, type ExceptionFilter } from '@nestjs/common';
import type { Request, Response } from 'express';
import { ProblemError, type Problem } from '@fluxnote/contracts';

export const PROBLEM_BASE = 'https://fluxnote.dev/problems/';

const titles: Record<number, [string, string]> = {
  400: ['invalid-request', 'Invalid request'],
  401: ['unauthorized', 'Unauthorized'],
  403: ['forbidden', 'Forbidden'],
  404: ['not-found', 'Not found'],
  405: ['method-not-allowed', 'Method not allowed'],
  409: ['conflict', 'Conflict'],
  413: ['payload-too-large', 'Payload too large'],
  415: ['unsupported-media-type', 'Unsupported media type'],
  429: ['too-many-requests', 'Too many requests'],
};

/** Every error leaves the gateway as `application/problem+json` (RFC 9457); never a stack, never a 500 for bad input. */
@Catch()
export class ProblemFilter implements ExceptionFilter {
  private readonly logger = new Logger('Problem');

  catch(exception: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const request = http.getRequest<Request>();
    const response = http.getResponse<Response>();
    const problem = this.toProblem(exception);
    if (problem.status >= 500) {
      this.logger.error(
        `${request.method} ${request.path}: ${exception instanceof Error ? (exception.stack ?? exception.message) : String(exception)}`,
      );
    }
    if (response.headersSent) {
      return;
    }
    const { type, ...rest } = problem;
    if (
      (problem.status === 429 || problem.status === 503) &&
      typeof problem['retryAfter'] === 'number'
    ) {
      response.setHeader('Retry-After', String(problem['retryAfter']));
    }
    response
      .status(problem.status)
      .type('application/problem+json')
      .send(
        JSON.stringify({
          type: type.includes(':') ? type : `${PROBLEM_BASE}${type}`,
          ...rest,
          instance: request.originalUrl,
        }),
      );
  }

  private toProblem(exception: unknown): Problem {
    if (exception instanceof ProblemError) {
      return exception.problem;
    }
    if (exception instanceof HttpException) {
      const status = exception.getStatus();
      const [type, title] = titles[status] ?? ['http-error', 'HTTP error'];
      const body = exception.getResponse();
      const detail =
        typeof body === 'object' && body !== null && 'message' in body
          ? String(body.message)
          : exception.message;
      return { type, title, status, detail };
    }
    // body-parser errors (malformed JSON, too large) carry their own status.
    const e = exception as { status?: number; type?: string; message?: string };
    if (typeof e?.status === 'number' && e.status >= 400 && e.status < 500) {
      const [type, title] = titles[e.status] ?? ['invalid-request', 'Invalid request'];
      const detail =
        e.type === 'entity.parse.failed' ? 'The body is not valid JSON.' : (e.message ?? title);
      return { type, title, status: e.status, detail };
    }
    return {
      type: 'internal',
      title: 'Internal error',
      status: 500,
      detail: 'Something went wrong on our side.',
    };
  }
}
