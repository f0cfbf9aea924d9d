import createClient, { type Client } from 'openapi-fetch';
import type { components, paths } from './generated/api';
import { idempotentOperations, sessionOperations } from './generated/operations';
import { streamEvents, type StreamEvent, type StreamOptions, type StreamPath } from './events';
import { problemOf } from './problem';

export type Tokens = components['schemas']['Tokens'];

/** What a client keeps to stay logged in (store it to survive a restart of the app). */
export interface Session {
  accessToken: string;
  refreshToken: string;
}

export interface ClientOptions {
  /** Where the gateway is: `https://api.fluxnote.dev` or `http://127.0.0.1:3000`. */
  baseUrl: string;
  /** A session from before (the client logs in by itself on sign-up and log-in). */
  session?: Session;
  /** Told of each new session (log-in, refresh) and of its end (`undefined`). */
  onSession?: (session: Session | undefined) => void;
  /** Tries again, with the same Idempotency-Key, after no answer or a 502/503/504. Default 2. */
  retries?: number;
  fetch?: (request: Request) => Promise<Response>;
}

export interface FluxNoteClient {
  /** Every operation, typed from the OpenAPI document: `api.POST('/v1/generations', { body })`. */
  api: Client<paths>;
  /** The events of a Server-Sent Events operation, resumed across reconnects. */
  stream<P extends StreamPath>(path: P, options: StreamOptions<P>): AsyncGenerator<StreamEvent<P>>;
  session(): Session | undefined;
  /** Use these tokens from now on (or none). */
  setSession(session: Session | undefined): void;
}

const compile = (routes: readonly string[]): ((method: string, path: string) => boolean) => {
  const patterns = routes.map((route) => {
    const [method, template] = route.split(' ');
    return { method, path: new RegExp(`^${template.replace(/\{\w+\}/g, '[^/]+')}$`) };
  });
  return (method, path) => patterns.some((p) => p.method === method && p.path.test(path));
};
const isIdempotent = compile(idempotentOperations);
const opensSession = compile(sessionOperations);
const endsSession = compile(['POST /v1/auth/logout', 'DELETE /v1/account']);

const RETRIED_STATUSES = new Set([502, 503, 504]);

/**
 * The FluxNote API client. Besides the generated, typed operations it: sends an
 * Idempotency-Key on every write that takes one (kept across its retries, so a retry never pays
 * twice), retries what got no answer, keeps the session (the tokens of sign-up and log-in) and
 * refreshes it once on a 401, and throws every error answer as an `ApiProblem`.
 */
export function createFluxNoteClient(options: ClientOptions): FluxNoteClient {
  const baseUrl = options.baseUrl.replace(/\/$/, '');
  const baseFetch = options.fetch ?? ((request: Request) => fetch(request));
  const retries = options.retries ?? 2;
  let session = options.session;
  let refreshing: Promise<boolean> | undefined;

  const setSession = (next: Session | undefined): void => {
    session = next;
    options.onSession?.(next);
  };

  /** Sends once more on no answer or a gateway-side 5xx; only what is safe to repeat. */
  const sendWithRetries = async (request: Request, repeatable: boolean): Promise<Response> => {
    for (let attempt = 0; ; attempt++) {
      try {
        const response = await baseFetch(request.clone());
        if (!repeatable || attempt >= retries || !RETRIED_STATUSES.has(response.status)) {
          return response;
        }
        const wait = Number(response.headers.get('retry-after') ?? NaN);
        await response.body?.cancel();
        await sleep(Number.isFinite(wait) ? Math.min(wait * 1000, 5000) : 100 * 2 ** attempt);
      } catch (error) {
        if (!repeatable || attempt >= retries || request.signal.aborted) {
          throw error;
        }
        await sleep(100 * 2 ** attempt);
      }
    }
  };

  const refresh = (): Promise<boolean> => {
    const current = session;
    refreshing ??= (async () => {
      if (!current) {
        return false;
      }
      const response = await baseFetch(
        new Request(`${baseUrl}/v1/auth/refresh`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ refreshToken: current.refreshToken }),
        }),
      );
      if (!response.ok) {
        await response.body?.cancel();
        setSession(undefined);
        return false;
      }
      const tokens = (await response.json()) as Tokens;
      setSession({ accessToken: tokens.accessToken, refreshToken: tokens.refreshToken });
      return true;
    })().finally(() => (refreshing = undefined));
    return refreshing;
  };

  const authorized = (request: Request): Request => {
    if (!session || request.headers.has('authorization')) {
      return request;
    }
    const headers = new Headers(request.headers);
    headers.set('authorization', `Bearer ${session.accessToken}`);
    return new Request(request, { headers });
  };

  /** Every request of the client goes through here. */
  const send = async (original: Request): Promise<Response> => {
    const method = original.method.toUpperCase();
    const path = new URL(original.url).pathname;
    let request = original;
    if (isIdempotent(method, path) && !request.headers.has('idempotency-key')) {
      const headers = new Headers(request.headers);
      headers.set('idempotency-key', crypto.randomUUID());
      request = new Request(request, { headers });
    }
    const repeatable = method === 'GET' || request.headers.has('idempotency-key');
    const usedSession = session;
    // a clone goes first: the request itself stays unread for a send after a refresh
    let response = await sendWithRetries(authorized(request.clone()), repeatable);
    if (response.status === 401 && usedSession && !opensSession(method, path)) {
      if (session !== usedSession || (await refresh())) {
        await response.body?.cancel();
        response = await sendWithRetries(authorized(request), repeatable);
      }
    }
    if (!response.ok) {
      throw await problemOf(response);
    }
    if (opensSession(method, path) && response.status !== 202) {
      const tokens = (await response.clone().json()) as Tokens;
      setSession({ accessToken: tokens.accessToken, refreshToken: tokens.refreshToken });
    } else if (endsSession(method, path)) {
      setSession(undefined);
    }
    return response;
  };

  return {
    api: createClient<paths>({ baseUrl, fetch: send }),
    stream: (path, streamOptions) => streamEvents(send, baseUrl, path, streamOptions),
    session: () => session,
    setSession,
  };
}

/**
 * The data of a successful answer (every error answer has been thrown as an `ApiProblem`):
 * `const job = await unwrap(api.POST('/v1/generations', { body }))`.
 */
export async function unwrap<T>(call: Promise<{ data?: T; response: Response }>): Promise<T> {
  const { data } = await call;
  return data as T;
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
