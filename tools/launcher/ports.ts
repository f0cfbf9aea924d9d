import { createServer, type Server } from 'node:net';

export interface ReservedPorts {
  /** Distinct ports, each free when reserved. */
  ports: number[];
  /** Lets the ports go, right before the processes that will bind them start. */
  release(): Promise<void>;
}

/**
 * A placeholder listener: whatever connects meanwhile (a readiness loop probing the port while the
 * platform starts) is hung up on at once. A connection left open would keep `close()` waiting for
 * ever, and the services would never start.
 */
function listen(port: number): Promise<Server> {
  return new Promise((resolve, reject) => {
    const server = createServer({ pauseOnConnect: true }, (socket) => socket.resetAndDestroy());
    server.unref();
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve(server));
  });
}

/**
 * `count` free ports on 127.0.0.1, and `fixed` (a port chosen by the user) checked to be free.
 * Every port stays bound until `release()`: a port given back at once can be handed out again by
 * the kernel's next `listen(0)`, here or in a process started meanwhile (the embedded Postgres),
 * and two services told to bind one port leave one of them failing for good.
 */
export async function reservePorts(count: number, fixed?: number): Promise<ReservedPorts> {
  const held: Server[] = [];
  const release = (): Promise<void> =>
    Promise.all(
      held.splice(0).map((server) => new Promise<void>((done) => server.close(() => done()))),
    ).then(() => undefined);
  if (fixed !== undefined && !(Number.isInteger(fixed) && fixed > 0 && fixed < 65536)) {
    throw new Error(
      `PORT must be a port number from 1 to 65535 (or 0 for a free one), not ${fixed}`,
    );
  }
  try {
    if (fixed !== undefined) {
      held.push(
        await listen(fixed).catch((error: NodeJS.ErrnoException) => {
          throw new Error(
            error.code === 'EADDRINUSE'
              ? `port ${fixed} is already in use; set PORT to another port (0 picks a free one)`
              : `port ${fixed} cannot be used: ${error.message}`,
          );
        }),
      );
    }
    const ports: number[] = [];
    for (let i = 0; i < count; i += 1) {
      const server = await listen(0);
      held.push(server);
      ports.push((server.address() as { port: number }).port);
    }
    return { ports, release };
  } catch (error) {
    await release();
    throw error;
  }
}
