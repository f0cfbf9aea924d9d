import { Injectable, type OnApplicationShutdown } from '@nestjs/common';
import type { Request, Response } from 'express';
import { setTimeout as sleep } from 'node:timers/promises';
import { ProblemError } from '@fluxnote/contracts';
import { draining } from '@fluxnote/telemetry';

/** How long one long poll of a stream waits before a keep-alive comment. */
export const STREAM_WAIT_MS = 15_000;

export interface StreamBatch<T> {
  items: T[];
  /** Where the next poll resumes. */
  lastSeq: number;
  /** Nothing more will come (the stream ends after these items). */
  ended?: boolean;
}

export interface StreamSource<T> {
  /** The `event:` name of each item. */
  event: string;
  /** Long-polls the service for what came after `afterSeq` (below zero: from now on). */
  poll(afterSeq: number, waitMs: number): Promise<StreamBatch<T>>;
  /** Each item's sequence number (its `id:`) and what the client gets as `data:`. */
  render(item: T): { id: number; data: unknown };
}

/** `Last-Event-ID` as a sequence number; -1 (start now) when absent. */
export function resumeAfter(lastEventId: string | undefined): number {
  if (lastEventId === undefined) {
    return -1;
  }
  if (!/^\d{1,15}$/.test(lastEventId)) {
    throw ProblemError.badRequest('Last-Event-ID is an id this stream sent.', {
      field: 'Last-Event-ID',
    });
  }
  return Number(lastEventId);
}

/**
 * Server-Sent Events over a service's long poll: each item with its sequence
 * number as the event id, so a client reconnecting with `Last-Event-ID` gets
 * exactly what came after it — nothing lost, nothing twice. Open streams end
 * when the gateway begins to drain (an open stream would hold the shutdown).
 */
@Injectable()
export class EventStreams implements OnApplicationShutdown {
  private readonly open = new Set<Response>();
  private stopping = false;

  constructor() {
    // a draining gateway ends its streams at once; each client resumes elsewhere with Last-Event-ID
    draining.onBegin(() => this.onApplicationShutdown());
  }

  onApplicationShutdown(): void {
    this.stopping = true;
    for (const stream of this.open) {
      stream.end();
    }
  }

  /**
   * Makes the first poll (without waiting) before answering, so a wrong id or
   * someone else's resource is a problem response, not an empty stream.
   */
  async serve<T>(
    request: Request,
    response: Response,
    after: number,
    source: StreamSource<T>,
  ): Promise<void> {
    let batch: StreamBatch<T> | undefined = await source.poll(after, 0);
    if (batch.ended && batch.items.length === 0) {
      // nothing came after the client's last event and nothing will: 204 stops its reconnecting
      response.status(204).end();
      return;
    }
    response.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache, no-transform',
      connection: 'keep-alive',
      'x-accel-buffering': 'no',
    });
    const send = (text: string): void => {
      if (!response.writableEnded) {
        response.write(text);
      }
    };
    send('retry: 3000\n\n');
    let connected = true;
    request.on('close', () => (connected = false));
    this.open.add(response);
    let resume = after;
    while (connected && !this.stopping) {
      if (!batch) {
        try {
          batch = await source.poll(resume, STREAM_WAIT_MS);
        } catch {
          if (connected) {
            send(': unavailable, trying again\n\n');
            await sleep(1000);
          }
          continue;
        }
      }
      for (const item of batch.items) {
        const { id, data } = source.render(item);
        send(`id: ${id}\nevent: ${source.event}\ndata: ${JSON.stringify(data)}\n\n`);
      }
      resume = batch.lastSeq;
      if (batch.items.length === 0) {
        send(': keep-alive\n\n');
      }
      if (batch.ended) {
        break;
      }
      batch = undefined;
    }
    this.open.delete(response);
    response.end();
  }
}
