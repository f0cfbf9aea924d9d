import type { components } from './generated/api';

export type ProblemType = components['schemas']['ProblemType'];
export type ProblemBody = components['schemas']['Problem'];

const BASE = 'https://fluxnote.dev/problems/';

/**
 * An error answer of the API (`application/problem+json`), thrown by every call of the client.
 * `type` is the problem's slug (`insufficient-credits`), `status` its HTTP status.
 */
export class ApiProblem extends Error {
  override readonly name = 'ApiProblem';
  readonly type: ProblemType;
  readonly status: number;
  readonly title: string;
  /** `Retry-After` in seconds, when the answer has one (429, 503). */
  readonly retryAfter: number | undefined;

  constructor(
    readonly body: ProblemBody,
    response: Response,
  ) {
    super(body.detail);
    this.type = body.type.replace(BASE, '') as ProblemType;
    this.status = body.status;
    this.title = body.title;
    const retryAfter = Number(response.headers.get('retry-after') ?? NaN);
    this.retryAfter = Number.isFinite(retryAfter) ? retryAfter : undefined;
  }

  /** Whether `error` is a problem of this type. */
  static is(error: unknown, type: ProblemType): error is ApiProblem {
    return error instanceof ApiProblem && error.type === type;
  }
}

/** The problem of a failed answer; an answer that is not problem+json becomes a generic one. */
export async function problemOf(response: Response): Promise<ApiProblem> {
  const text = await response.text();
  let body: ProblemBody;
  try {
    body = JSON.parse(text) as ProblemBody;
  } catch {
    body = {
      type: `${BASE}${response.status >= 500 ? 'service-unavailable' : 'invalid-request'}`,
      title: response.statusText || 'HTTP error',
      status: response.status,
      detail: text.slice(0, 500),
      instance: new URL(response.url || 'http://unknown/').pathname,
    };
  }
  return new ApiProblem(body, response);
}
