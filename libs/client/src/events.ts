import { createParser, type EventSourceMessage } from 'eventsource-parser';
import type { paths } from './generated/api';
import { problemOf } from './problem';

/** The operations that answer Server-Sent Events. */
export type StreamPath = {
  [P in keyof paths]: paths[P] extends {
    get: { responses: { 200: { content: { 'text/event-stream': unknown } } } };
  }
    ? P
    : never;
}[keyof paths];

/** What one event of a stream carries. */
export type StreamData<P extends StreamPath> =
  paths[P]['get']['responses'][200]['content']['text/event-stream'];

type PathParams<P extends StreamPath> = paths[P]['get']['parameters'] extends {
  path: infer Params;
}
  ? Params
  : never;

export interface StreamEvent<P extends StreamPath> {
  /** Its sequence number: resume after it with `lastEventId`. */
  id: string;
  event: string;
  data: StreamData<P>;
}

export type StreamOptions<P extends StreamPath> = {
  /** Resume right after this event (nothing lost, nothing twice). */
  lastEventId?: string;
  /** Stops the stream (the iteration ends). */
  signal?: AbortSignal;
  /** Wait before reconnecting; the server's `retry:` when not given. */
  reconnectDelayMs?: number;
} & (PathParams<P> extends never ? { path?: undefined } : { path: PathParams<P> });

/**
 * The events of a stream, reconnecting with `Last-Event-ID` whenever the connection drops, so a
 * client sees every event once even across network failures and gateway restarts. Ends when the
 * signal aborts or the server says there is nothing more (204). A refusal is an `ApiProblem`.
 */
export async function* streamEvents<P extends StreamPath>(
  send: (request: Request) => Promise<Response>,
  baseUrl: string,
  path: P,
  options: StreamOptions<P>,
): AsyncGenerator<StreamEvent<P>, void, undefined> {
  const params = (options.path ?? {}) as Record<string, string>;
  const url =
    baseUrl + path.replace(/\{(\w+)\}/g, (_, name: string) => encodeURIComponent(params[name]));
  let lastEventId = options.lastEventId;
  let retryMs = options.reconnectDelayMs ?? 3000;
  while (!options.signal?.aborted) {
    let response: Response;
    try {
      response = await send(
        new Request(url, {
          headers: {
            accept: 'text/event-stream',
            ...(lastEventId !== undefined ? { 'last-event-id': lastEventId } : {}),
          },
          signal: options.signal,
        }),
      );
    } catch (error) {
      if (options.signal?.aborted) {
        return;
      }
      if (error instanceof Error && error.name === 'ApiProblem') {
        throw error;
      }
      await pause(retryMs, options.signal);
      continue;
    }
    if (response.status === 204) {
      return;
    }
    if (!response.ok) {
      throw await problemOf(response);
    }
    const queue: EventSourceMessage[] = [];
    const parser = createParser({
      onEvent: (message) => queue.push(message),
      onRetry: (ms) => {
        if (options.reconnectDelayMs === undefined) {
          retryMs = ms;
        }
      },
    });
    const decoder = new TextDecoder();
    try {
      for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
        parser.feed(decoder.decode(chunk, { stream: true }));
        while (queue.length > 0) {
          const message = queue.shift()!;
          if (message.id !== undefined) {
            lastEventId = message.id;
          }
          yield {
            id: message.id ?? '',
            event: message.event ?? 'message',
            data: JSON.parse(message.data) as StreamData<P>,
          };
        }
      }
    } catch {
      // the connection dropped: reconnect below
    } finally {
      // also when the caller stops iterating: the connection is not left open
      await response.body?.cancel().catch(() => undefined);
    }
    if (options.signal?.aborted) {
      return;
    }
    await pause(retryMs, options.signal);
  }
}

function pause(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener('abort', () => {
      clearTimeout(timer);
      resolve();
    });
  });
}
