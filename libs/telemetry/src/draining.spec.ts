import { createServer, request, Agent, type Server } from 'node:http';
import { connect, type AddressInfo } from 'node:net';
import { Draining, drainableHttpServer } from './draining';

function listen(server: Server): Promise<number> {
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port)),
  );
}

function get(
  port: number,
  agent: Agent,
  path = '/',
): Promise<{ status: number; body: string; connection?: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, agent }, (response) => {
      let body = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => (body += chunk));
      response.on('end', () =>
        resolve({
          status: response.statusCode ?? 0,
          body,
          connection: response.headers.connection,
        }),
      );
      response.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}

describe('Draining', () => {
  it('runs each listener once when it begins, and a late one at once', () => {
    const drain = new Draining();
    const calls: string[] = [];
    drain.onBegin(() => calls.push('early'));
    const removed = drain.onBegin(() => calls.push('removed'));
    removed();
    expect(drain.active).toBe(false);
    drain.begin();
    drain.begin();
    expect(drain.active).toBe(true);
    drain.onBegin(() => calls.push('late'));
    expect(calls).toEqual(['early', 'late']);
  });
});

describe('drainableHttpServer', () => {
  let server: Server;
  let agent: Agent;
  afterEach(() => {
    agent.destroy();
    server.close();
  });

  it('answers the requests in flight in full, closes their connections, then takes none', async () => {
    const slow: Array<() => void> = [];
    server = createServer((req, res) => {
      if (req.url === '/slow') {
        slow.push(() => res.end('slow done'));
      } else {
        res.end('quick');
      }
    });
    const drainable = drainableHttpServer(server);
    const port = await listen(server);
    agent = new Agent({ keepAlive: true, maxSockets: 4 });
    expect(await get(port, agent)).toMatchObject({ status: 200, connection: 'keep-alive' });

    const inFlight = [get(port, agent, '/slow'), get(port, agent, '/slow')];
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(slow).toHaveLength(2);
    const drained = drainable.drain(5_000);
    let finished = false;
    void drained.then(() => (finished = true));

    await expect(get(port, new Agent())).rejects.toThrow(/ECONNREFUSED/);
    expect(finished).toBe(false); // the slow ones still hold it
    slow.forEach((answer) => answer());
    const answers = await Promise.all(inFlight);
    expect(answers).toEqual([
      { status: 200, body: 'slow done', connection: 'close' },
      { status: 200, body: 'slow done', connection: 'close' },
    ]);
    expect(await drained).toBe(true);
  });

  it('closes kept-alive connections that stay idle for their keep-alive timeout', async () => {
    server = createServer((_req, res) => res.end('quick'));
    server.keepAliveTimeout = 600;
    const drainable = drainableHttpServer(server);
    const port = await listen(server);
    agent = new Agent();
    // A client that never closes on its own: the server has to.
    const client = connect(port, '127.0.0.1');
    client.write('GET / HTTP/1.1\r\nHost: x\r\n\r\n');
    await new Promise((resolve) => client.once('data', resolve));
    const closed = new Promise<number>((resolve) =>
      client.once('close', () => resolve(Date.now())),
    );
    const began = Date.now();
    expect(await drainable.drain(5_000)).toBe(true);
    expect((await closed) - began).toBeGreaterThanOrEqual(500);
  });

  it('answers a request sent on an idle connection before its keep-alive timeout, then closes it', async () => {
    server = createServer((_req, res) => res.end('quick'));
    server.keepAliveTimeout = 3_000; // Keep-Alive: timeout=3, which Node's agent keeps for 2 s
    const drainable = drainableHttpServer(server);
    const port = await listen(server);
    agent = new Agent({ keepAlive: true, maxSockets: 1 });
    expect(await get(port, agent)).toMatchObject({ connection: 'keep-alive' });
    const drained = drainable.drain(5_000);
    // Idle for longer than a moment, and within what the server promised: the client may reuse it.
    await new Promise((resolve) => setTimeout(resolve, 800));
    expect(await get(port, agent)).toEqual({ status: 200, body: 'quick', connection: 'close' });
    expect(await drained).toBe(true);
  });

  it('cuts what is still open when the grace period runs out', async () => {
    server = createServer(() => undefined); // never answers
    const drainable = drainableHttpServer(server);
    const port = await listen(server);
    agent = new Agent({ keepAlive: true });
    const hanging = get(port, agent, '/never');
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(await drainable.drain(300)).toBe(false);
    await expect(hanging).rejects.toThrow(/socket hang up|ECONNRESET/);
  });
});
