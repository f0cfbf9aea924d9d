import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';

export interface RunningPostgres {
  url: string;
  process: ChildProcess;
  stop(): Promise<void>;
}

/** Asks a child process to stop (`ask`) and resolves once it has exited (at once if it had). */
export function stopChild(child: ChildProcess, ask: () => void): Promise<void> {
  return new Promise<void>((done) => {
    if (child.exitCode !== null || child.signalCode !== null) {
      done();
      return;
    }
    child.once('exit', () => done());
    ask();
  });
}

/** Repository root, found from this file. */
export function repoRoot(): string {
  return join(__dirname, '..', '..', '..');
}

/** A new empty folder under the repository's git-ignored `tmp/` (created if missing). */
export function makeTempDir(prefix: string): string {
  const parent = join(repoRoot(), 'tmp');
  mkdirSync(parent, { recursive: true });
  return mkdtempSync(join(parent, `${prefix}-`));
}

/**
 * Starts `tools/launcher/embedded-postgres.mjs` as a child and waits for its URL.
 * The child stops the server when we close its stdin or signal it.
 */
export function startEmbeddedPostgres(
  dataDir: string,
  options: {
    fast?: boolean;
    /** Listen on this port (a restarted runner keeps the address the services know). */
    port?: number;
    /** What the runner says after it started: the database exited and was started again. */
    onEvent?: (message: string) => void;
  } = {},
): Promise<RunningPostgres> {
  const child = spawn(
    process.execPath,
    [
      join(repoRoot(), 'tools', 'launcher', 'embedded-postgres.mjs'),
      dataDir,
      ...(options.fast ? ['--fast'] : []),
      ...(options.port ? ['--port', String(options.port)] : []),
    ],
    // Own process group, so a terminal's Ctrl-C does not stop the database before the services.
    { stdio: ['pipe', 'pipe', 'inherit'], detached: true },
  );
  return new Promise((resolve, reject) => {
    const lines = createInterface({ input: child.stdout });
    const onExit = (code: number | null): void =>
      reject(new Error(`embedded postgres exited with ${code}`));
    child.once('exit', onExit);
    lines.once('line', (line) => {
      child.off('exit', onExit);
      const { url } = JSON.parse(line) as { url: string };
      lines.on('line', (later) => {
        const { event } = JSON.parse(later) as { event?: string };
        if (event) {
          options.onEvent?.(event);
        }
      });
      resolve({
        url,
        process: child,
        stop: () => stopChild(child, () => child.kill('SIGTERM')),
      });
    });
  });
}
