import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { rmSync } from 'node:fs';
import { connect, createServer, type Socket } from 'node:net';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { expectEventually, makeTempDir, repoRoot } from '@fluxnote/testing';

jest.setTimeout(180_000);

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** Every process below `pid`, from the process table. */
function descendants(pid: number): number[] {
  const rows = execFileSync('ps', ['-eo', 'pid=,ppid='], { encoding: 'utf8' })
    .trim()
    .split('\n')
    .map((line) => line.trim().split(/\s+/).map(Number) as [number, number]);
  const found: number[] = [];
  const queue = [pid];
  while (queue.length > 0) {
    const parent = queue.shift()!;
    for (const [child, ppid] of rows) {
      if (ppid === parent) {
        found.push(child);
        queue.push(child);
      }
    }
  }
  return found;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

interface Started {
  launcher: ChildProcess;
  output: string[];
  exited: Promise<number | null>;
}

/** `npm start` as a user runs it (embedded Postgres, own data folder), until its banner says ready. */
async function npmStart(
  dataDir: string,
  port: number,
  meanwhile: () => void = () => undefined,
): Promise<Started> {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    DATA_DIR: dataDir,
    PORT: String(port),
    LOG_LEVEL: 'warn',
  };
  delete env['DATABASE_URL'];
  const launcher = spawn(
    process.execPath,
    ['-r', '@swc-node/register', join(repoRoot(), 'tools', 'launcher', 'start.ts')],
    {
      cwd: repoRoot(),
      env,
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  const exited = new Promise<number | null>((resolve) => launcher.once('exit', resolve));
  meanwhile();
  const output: string[] = [];
  await new Promise<void>((resolve, reject) => {
    void exited.then((code) =>
      reject(new Error(`npm start exited with ${code}:\n${output.join('\n')}`)),
    );
    createInterface({ input: launcher.stdout }).on('line', (line) => {
      output.push(line);
      if (line.startsWith('FluxNote is ready')) {
        resolve();
      }
    });
  });
  return { launcher, output, exited };
}

describe('npm start', () => {
  const dataDir = makeTempDir('start');
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  it('starts everything, says where it is, stops cleanly on Ctrl-C, and keeps the data', async () => {
    const port = await freePort();
    const api = `http://127.0.0.1:${port}`;
    const first = await npmStart(dataDir, port);
    const banner = first.output.join('\n');
    expect(banner).toContain(`${api}/v1`);
    expect(banner).toContain(`${api}/docs`);
    expect(banner).toMatch(/Admin login\s+admin@fluxnote\.local \/ \S+/);
    expect(banner).toContain(join(dataDir, 'mail'));
    expect((await fetch(`${api}/readyz`)).status).toBe(200);
    expect((await fetch(`${api}/docs/openapi.json`)).status).toBe(200);
    const signup = await fetch(`${api}/v1/auth/signup`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: 'kept@example.com', password: 'a long enough password' }),
    });
    expect(signup.status).toBe(201);
    // The dead-letter command the banner names works on the embedded bus as printed.
    const deadLetters = /Dead letters\s+DATABASE_URL=(\S+) npm run dead-letters -- list/.exec(
      banner,
    );
    expect(deadLetters).not.toBeNull();
    const listed = execFileSync('npm', ['run', '--silent', 'dead-letters', '--', 'list'], {
      cwd: repoRoot(),
      env: { ...process.env, DATABASE_URL: deadLetters![1], LOG_LEVEL: 'warn' },
      encoding: 'utf8',
    });
    expect(listed).toBe('no dead letters\n');

    const processes = descendants(first.launcher.pid!);
    expect(processes.length).toBeGreaterThanOrEqual(7); // six services and the database
    first.launcher.kill('SIGINT');
    expect(await first.exited).toBe(0);
    expect(processes.filter(alive)).toEqual([]);

    const second = await npmStart(dataDir, port);
    const login = await fetch(`${api}/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: 'kept@example.com', password: 'a long enough password' }),
    });
    expect(login.status).toBe(200);
    const again = descendants(second.launcher.pid!);
    second.launcher.kill('SIGINT');
    expect(await second.exited).toBe(0);
    expect(again.filter(alive)).toEqual([]);
  });

  it('starts while readiness loops probe its port from the first millisecond, and outlives its database', async () => {
    const port = await freePort();
    const readyz = `http://127.0.0.1:${port}/readyz`;
    let stop = false;
    const seen: number[] = [];
    // What readiness loops do: fetch with and without a timeout, and a connection that only waits.
    const loop = async (timeoutMs?: number): Promise<void> => {
      while (!stop) {
        try {
          const response = await fetch(readyz, {
            signal: timeoutMs ? AbortSignal.timeout(timeoutMs) : undefined,
          });
          seen.push(response.status);
          await response.body?.cancel();
        } catch {
          // refused, reset or timed out: probe again, as curl in a loop does
        }
        await new Promise((r) => setTimeout(r, 20));
      }
    };
    const idle: Socket[] = [];
    const holdOpen = (): void => {
      if (stop) {
        return;
      }
      const socket = connect(port, '127.0.0.1');
      socket.on('error', () => undefined);
      socket.on('close', () => setTimeout(holdOpen, 20));
      idle.push(socket);
    };
    let probes: Promise<void>[] = [];
    const started = await npmStart(dataDir, port, () => {
      probes = [loop(), loop(1000), loop(50)];
      holdOpen();
    });
    try {
      await expectEventually(() => expect(seen).toContain(200), { timeoutMs: 10_000 });
      stop = true;
      await Promise.all(probes);
      idle.forEach((socket) => socket.destroy());

      // The database dies (as to SIGKILL): the launcher says so, starts it on the same data, and the
      // platform answers again, with what was stored before.
      const signup = await fetch(`http://127.0.0.1:${port}/v1/auth/signup`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ email: 'survivor@example.com', password: 'a long enough password' }),
      });
      expect(signup.status).toBe(201);
      const postmaster = descendants(started.launcher.pid!).find((pid) =>
        /postgres -D/.test(
          execFileSync('ps', ['-o', 'args=', '-p', String(pid)], { encoding: 'utf8' }),
        ),
      );
      expect(postmaster).toBeDefined();
      process.kill(postmaster!, 'SIGKILL');
      await expectEventually(
        () => expect(started.output.join('\n')).toContain('the database is running again'),
        { timeoutMs: 60_000 },
      );
      await expectEventually(
        async () => {
          const login = await fetch(`http://127.0.0.1:${port}/v1/auth/login`, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify({
              email: 'survivor@example.com',
              password: 'a long enough password',
            }),
          });
          expect(login.status).toBe(200);
        },
        { timeoutMs: 60_000 },
      );
      expect(started.output.join('\n')).toContain('the database exited (SIGKILL)');
    } finally {
      stop = true;
      idle.forEach((socket) => socket.destroy());
      started.launcher.kill('SIGINT');
      expect(await started.exited).toBe(0);
    }
  });
});
