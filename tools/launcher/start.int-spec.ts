import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { makeTempDir, repoRoot } from '@fluxnote/testing';

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
async function npmStart(dataDir: string, port: number): Promise<Started> {
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
});
