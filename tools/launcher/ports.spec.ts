import { createServer, type Server } from 'node:net';
import { reservePorts } from './ports';

function bind(port: number): Promise<Server> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve(server));
  });
}

const close = (server: Server): Promise<void> =>
  new Promise((resolve) => server.close(() => resolve()));

describe('reservePorts', () => {
  it('hands out distinct ports, all bindable once released', async () => {
    // Ports probed one by one and given back at once repeat within a few hundred picks; that is how
    // two services were once told the same port, and one of them could never start.
    const reserved = await reservePorts(300);
    expect(new Set(reserved.ports).size).toBe(300);
    await reserved.release();
    const bound = await Promise.all(reserved.ports.map(bind));
    await Promise.all(bound.map(close));
  });

  it('holds the ports until released', async () => {
    const reserved = await reservePorts(2);
    await expect(bind(reserved.ports[0])).rejects.toMatchObject({ code: 'EADDRINUSE' });
    await reserved.release();
    await close(await bind(reserved.ports[0]));
  });

  it('refuses a chosen port that is no port number', async () => {
    for (const wrong of [Number('eighty'), -1, 65536, 80.5]) {
      await expect(reservePorts(1, wrong)).rejects.toThrow(`PORT must be a port number`);
    }
  });

  it('holds a chosen port too, and names it when it is taken', async () => {
    const taken = await bind(0);
    const port = (taken.address() as { port: number }).port;
    await expect(reservePorts(3, port)).rejects.toThrow(
      `port ${port} is already in use; set PORT to another port`,
    );
    await close(taken);

    const reserved = await reservePorts(3, port);
    expect(reserved.ports).not.toContain(port);
    await expect(bind(port)).rejects.toMatchObject({ code: 'EADDRINUSE' });
    await reserved.release();
  });
});
