import { Server as NetServer, type Socket } from 'node:net';
import type { Server, ServerResponse } from 'node:http';

/**
 * This process's stop. SIGTERM begins it (`begin()`): `/readyz` answers 503 `draining`, long polls
 * and open streams answer at once, the listeners take no new connections, and what is in flight
 * finishes before the process closes its resources and exits.
 */
export class Draining {
  private readonly listeners = new Set<() => void>();
  private started = false;

  get active(): boolean {
    return this.started;
  }

  /** Runs `listener` when the drain begins (at once if it has). Returns its removal. */
  onBegin(listener: () => void): () => void {
    if (this.started) {
      listener();
      return () => undefined;
    }
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  begin(): void {
    if (this.started) {
      return;
    }
    this.started = true;
    for (const listener of this.listeners) {
      listener();
    }
    this.listeners.clear();
  }
}

/** The process's one drain. */
export const draining = new Draining();

/**
 * While draining, a kept-alive connection is closed once it has been idle for as long as the
 * server told its client it may stay open (`Keep-Alive: timeout=…`, the server's keepAliveTimeout):
 * a client that keeps to that has stopped reusing it by then, so none sends a request on a
 * connection that is closing (the keep-alive race, a POST lost as "other side closed"). A
 * connection used meanwhile gets its answer with `Connection: close`. This, when the server
 * advertises no timeout.
 */
const IDLE_CLOSE_MS = 500;
const SWEEP_MS = 100;

interface Connection {
  response?: ServerResponse;
  idleSince: number;
}

/**
 * Lets an HTTP server stop without cutting a request. `drain()` stops taking connections, marks
 * every answer from then on `Connection: close`, closes each kept-alive connection once it has
 * been idle for its keep-alive timeout (a request already on its way still gets its answer), and resolves
 * `true` when the last connection has closed, or `false` when `graceMs` ran out and the rest
 * were cut.
 */
export function drainableHttpServer(server: Server): { drain(graceMs: number): Promise<boolean> } {
  const connections = new Map<Socket, Connection>();
  let closing = false;
  server.on('connection', (socket: Socket) => {
    connections.set(socket, { idleSince: Date.now() });
    socket.once('close', () => connections.delete(socket));
  });
  // Ahead of the app's own handler, which may answer at once.
  server.prependListener('request', (request, response: ServerResponse) => {
    const connection = connections.get(request.socket);
    if (!connection) {
      return;
    }
    connection.response = response;
    if (closing) {
      response.setHeader('connection', 'close');
    }
    response.once('close', () => {
      if (connection.response === response) {
        connection.response = undefined;
        connection.idleSince = Date.now();
      }
    });
  });
  return {
    drain(graceMs: number): Promise<boolean> {
      closing = true;
      for (const { response } of connections.values()) {
        if (response && !response.headersSent) {
          response.setHeader('connection', 'close');
        }
      }
      // net.Server's close: stop accepting, without http.Server's closing of idle connections at
      // once (a request written on one a moment ago would be cut before it was read)
      NetServer.prototype.close.call(server);
      const deadline = Date.now() + graceMs;
      const idleCloseMs = server.keepAliveTimeout > 0 ? server.keepAliveTimeout : IDLE_CLOSE_MS;
      return new Promise((resolve) => {
        const sweep = (): void => {
          const now = Date.now();
          for (const [socket, connection] of connections) {
            if (!connection.response && now - connection.idleSince >= idleCloseMs) {
              socket.end();
            }
          }
          if (connections.size === 0) {
            resolve(true);
          } else if (now >= deadline) {
            for (const socket of connections.keys()) {
              socket.destroy();
            }
            resolve(false);
          } else {
            setTimeout(sweep, SWEEP_MS).unref();
          }
        };
        sweep();
      });
    },
  };
}
