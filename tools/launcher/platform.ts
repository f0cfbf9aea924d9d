import { fork, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, openSync, readFileSync, writeFileSync, closeSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { generateSealingKeyPair } from '@fluxnote/platform';
import { startEmbeddedPostgres, type RunningPostgres } from '@fluxnote/embedded-postgres';
import { reservePorts } from './ports';

export const serviceNames = [
  'accounts',
  'billing',
  'generation',
  'notifications',
  'support',
  'gateway',
] as const;
export type ServiceName = (typeof serviceNames)[number];

export interface PlatformOptions {
  /** Data folder (Postgres data, mail, logs). Default `./var`. */
  dataDir?: string;
  /** Use this Postgres instead of starting the embedded one. */
  databaseUrl?: string;
  /** Gateway port; 0 picks a free one. Default 8080. */
  port?: number;
  /** Extra environment for every service. */
  env?: NodeJS.ProcessEnv;
  /** Extra Node options for every service, such as `--cpu-prof` (not allowed in NODE_OPTIONS). */
  nodeOptions?: string[];
  /** Restart a service that exits unexpectedly (for `npm start`; tests restart explicitly). */
  supervise?: boolean;
  /** Embedded Postgres tuned for tests (no fsync). */
  fastPostgres?: boolean;
  onEvent?: (message: string) => void;
}

interface RunningService {
  name: ServiceName;
  child: ChildProcess;
  exited: Promise<number | null>;
  stopping: boolean;
}

const root = resolve(__dirname, '..', '..');

/** The first admin's credentials: from the environment, or made once and kept in the data folder. */
function adminCredentials(
  dataDir: string,
  env: NodeJS.ProcessEnv,
): { email: string; password: string } {
  const email = env['ADMIN_EMAIL'] ?? 'admin@fluxnote.local';
  if (env['ADMIN_PASSWORD']) {
    return { email, password: env['ADMIN_PASSWORD'] };
  }
  const file = join(dataDir, 'admin.json');
  if (existsSync(file)) {
    const saved = JSON.parse(readFileSync(file, 'utf8')) as { email: string; password: string };
    if (saved.email === email) {
      return saved;
    }
  }
  const created = { email, password: randomBytes(12).toString('base64url') };
  writeFileSync(file, JSON.stringify(created), { mode: 0o600 });
  return created;
}

/**
 * Notifications' sealing key pair (log-in codes and link tokens travel sealed to it): from the
 * environment, or made once and kept in the data folder. Only accounts gets the public half and
 * only notifications the private one.
 */
async function sealingKeys(
  dataDir: string,
  env: NodeJS.ProcessEnv,
): Promise<{ publicKey: string; privateKey: string }> {
  const given = {
    publicKey: env['NOTIFICATIONS_SEALING_PUBLIC_KEY'],
    privateKey: env['SEALING_PRIVATE_KEY'],
  };
  if (given.publicKey && given.privateKey) {
    return { publicKey: given.publicKey, privateKey: given.privateKey };
  }
  const file = join(dataDir, 'sealing-key.json');
  if (existsSync(file)) {
    return JSON.parse(readFileSync(file, 'utf8')) as { publicKey: string; privateKey: string };
  }
  const made = await generateSealingKeyPair();
  writeFileSync(file, JSON.stringify(made), { mode: 0o600 });
  return made;
}

/**
 * The whole platform on one machine: embedded Postgres (unless a database URL
 * is given), then the six services, each its own Node process on free ports,
 * wired to each other by environment. `npm start` and the end-to-end tests
 * both use this.
 */
export class Platform {
  private readonly services = new Map<ServiceName, RunningService>();
  private postgres: RunningPostgres | undefined;
  private closed = false;

  private constructor(
    private readonly options: PlatformOptions,
    readonly dataDir: string,
    readonly databaseUrl: string,
    readonly gatewayUrl: string,
    readonly admin: { email: string; password: string },
    private readonly envs: Record<ServiceName, NodeJS.ProcessEnv>,
  ) {}

  /** The gateway's own listener, without anything (such as a suite's contract check) in front. */
  get gatewayListenUrl(): string {
    return `http://127.0.0.1:${this.envs.gateway['PORT']}`;
  }

  /** A running service's process id (benchmarks read its CPU time). */
  pidOf(name: ServiceName): number | undefined {
    return this.services.get(name)?.child.pid;
  }

  /** A service's gRPC address (for benchmarks and tests that speak to it directly). */
  grpcAddress(name: ServiceName): string {
    return `127.0.0.1:${this.envs[name]['GRPC_PORT']}`;
  }

  /** A service's internal HTTP address (health, and the gateway's /metrics). */
  internalHttpUrl(name: ServiceName): string {
    return `http://127.0.0.1:${this.envs[name]['HTTP_PORT']}`;
  }

  get mailDir(): string {
    return join(this.dataDir, 'mail');
  }

  static async start(options: PlatformOptions = {}): Promise<Platform> {
    const dataDir = resolve(options.dataDir ?? process.env['DATA_DIR'] ?? join(root, 'var'));
    mkdirSync(join(dataDir, 'logs'), { recursive: true });
    mkdirSync(join(dataDir, 'mail'), { recursive: true });
    const baseEnv = { ...process.env, ...options.env };
    const gatewayPort = options.port ?? Number(baseEnv['PORT'] ?? 8080);
    // Reserved before the database starts, so that its own port can't be one of them either.
    const reserved = await reservePorts(
      serviceNames.length * 2 + (gatewayPort === 0 ? 1 : 0),
      gatewayPort === 0 ? undefined : gatewayPort,
    );
    const ports: Record<string, number> = {};
    serviceNames.forEach((name, i) => {
      ports[`${name}.http`] = reserved.ports[2 * i]!;
      ports[`${name}.grpc`] = reserved.ports[2 * i + 1]!;
    });
    const gatewayListen = gatewayPort === 0 ? reserved.ports.at(-1)! : gatewayPort;
    let postgres: RunningPostgres | undefined;
    let databaseUrl = options.databaseUrl ?? baseEnv['DATABASE_URL'];
    let admin: { email: string; password: string };
    let sealing: { publicKey: string; privateKey: string };
    try {
      if (!databaseUrl) {
        postgres = await startEmbeddedPostgres(join(dataDir, 'postgres'), {
          fast: options.fastPostgres,
          onEvent: options.onEvent,
        });
        databaseUrl = postgres.url;
      }
      admin = adminCredentials(dataDir, baseEnv);
      sealing = await sealingKeys(dataDir, baseEnv);
    } catch (error) {
      await postgres?.stop();
      throw error;
    } finally {
      // Free for the services to bind (nothing here listens again before they start).
      await reserved.release();
    }
    const grpc = (name: ServiceName): string => `127.0.0.1:${ports[`${name}.grpc`]}`;
    const shared: NodeJS.ProcessEnv = {
      ...baseEnv,
      DATABASE_URL: databaseUrl,
      DATA_DIR: dataDir,
      ACCOUNTS_GRPC_URL: grpc('accounts'),
      ACCOUNTS_HTTP_URL: `http://127.0.0.1:${ports['accounts.http']}`,
      BILLING_GRPC_URL: grpc('billing'),
      GENERATION_GRPC_URL: grpc('generation'),
      NOTIFICATIONS_GRPC_URL: grpc('notifications'),
      SUPPORT_GRPC_URL: grpc('support'),
      ADMIN_EMAIL: admin.email,
      ADMIN_PASSWORD: admin.password,
    };
    const envs = {} as Record<ServiceName, NodeJS.ProcessEnv>;
    for (const name of serviceNames) {
      envs[name] = {
        ...shared,
        HTTP_PORT: String(ports[`${name}.http`]),
        GRPC_PORT: String(ports[`${name}.grpc`]),
        ...(name === 'gateway' ? { PORT: String(gatewayListen) } : {}),
        ...(name === 'accounts' ? { NOTIFICATIONS_SEALING_PUBLIC_KEY: sealing.publicKey } : {}),
        ...(name === 'notifications' ? { SEALING_PRIVATE_KEY: sealing.privateKey } : {}),
      };
    }
    const platform = new Platform(
      options,
      dataDir,
      databaseUrl,
      `http://127.0.0.1:${gatewayListen}`,
      admin,
      envs,
    );
    platform.postgres = postgres;
    platform.superviseDatabase();
    try {
      for (const name of serviceNames) {
        platform.spawn(name);
      }
      await platform.waitUntilReady(90_000);
    } catch (error) {
      await platform.stop();
      throw error;
    }
    return platform;
  }

  /** Resolves when the gateway's `/readyz` answers 200 (every service behind it is up). */
  async waitUntilReady(timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    let last = '';
    while (Date.now() < deadline) {
      for (const service of this.services.values()) {
        if (service.child.exitCode !== null && !this.options.supervise) {
          // The log's end goes into the message: a test's data folder (and its logs) is removed after it.
          throw new Error(
            `${service.name} exited with ${service.child.exitCode}; see ${this.logFile(service.name)}; its log ends:\n${this.logTail(service.name, 15)}`,
          );
        }
      }
      // Each service's readiness is its own (the gateway's no longer includes the others'), so
      // the platform is ready when every one of them is, and the gateway hears them all.
      try {
        const answers = await Promise.all(
          serviceNames.map(async (name) => {
            const url = name === 'gateway' ? this.gatewayUrl : this.internalHttpUrl(name);
            const response = await fetch(`${url}/readyz`, { signal: AbortSignal.timeout(2000) });
            const body = await response.text();
            return { name, ready: response.ok && !body.includes('"degraded"'), body };
          }),
        );
        const waiting = answers.filter((a) => !a.ready);
        if (waiting.length === 0) {
          return;
        }
        last = waiting.map((a) => `${a.name}: ${a.body}`).join('; ');
      } catch (error) {
        last = String(error);
      }
      await new Promise((r) => setTimeout(r, 200));
    }
    throw new Error(`the platform was not ready in ${timeoutMs} ms: ${last}`);
  }

  /**
   * The embedded database's runner restarts a database that dies; with `supervise`, a runner that
   * dies itself is started again here, on the same data and port, so the services' address holds.
   */
  private superviseDatabase(): void {
    const running = this.postgres;
    if (!running || !this.options.supervise) {
      return;
    }
    running.process.once('exit', (code, signal) => {
      if (this.closed || this.postgres !== running) {
        return;
      }
      this.options.onEvent?.(
        `the embedded database's runner exited (${signal ?? code}); starting it again`,
      );
      void this.restartDatabase(Number(new URL(running.url).port));
    });
  }

  private async restartDatabase(port: number): Promise<void> {
    for (let attempt = 1; !this.closed; attempt += 1) {
      try {
        const started = await startEmbeddedPostgres(join(this.dataDir, 'postgres'), {
          fast: this.options.fastPostgres,
          port,
          onEvent: this.options.onEvent,
        });
        if (this.closed) {
          await started.stop();
          return;
        }
        this.postgres = started;
        this.options.onEvent?.('the embedded database is running again');
        this.superviseDatabase();
        return;
      } catch (error) {
        this.options.onEvent?.(`the embedded database did not start (${String(error)}); retrying`);
        await new Promise((r) => setTimeout(r, Math.min(500 * attempt, 5000)));
      }
    }
  }

  logFile(name: ServiceName): string {
    return join(this.dataDir, 'logs', `${name}.log`);
  }

  private logTail(name: ServiceName, lines: number): string {
    const file = this.logFile(name);
    return existsSync(file)
      ? readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n')
      : '(no log)';
  }

  /**
   * Sends a signal to one service at once (SIGKILL to simulate a crash). Resolves with its exit
   * code when it has exited (null if a signal ended it, or it was not running).
   */
  async kill(name: ServiceName, signal: NodeJS.Signals = 'SIGTERM'): Promise<number | null> {
    const service = this.services.get(name);
    if (!service || service.child.exitCode !== null || service.child.signalCode !== null) {
      return null;
    }
    service.stopping = true;
    service.child.kill(signal);
    return service.exited;
  }

  /** Freezes one service (SIGSTOP): it holds its connections and answers nothing, like a hung process. */
  freeze(name: ServiceName): void {
    this.services.get(name)?.child.kill('SIGSTOP');
  }

  /** Lets a frozen service run on (SIGCONT). */
  thaw(name: ServiceName): void {
    this.services.get(name)?.child.kill('SIGCONT');
  }

  /** Starts a service again with the same ports and settings (plus `env`, which it keeps). */
  async restart(name: ServiceName, env: NodeJS.ProcessEnv = {}): Promise<void> {
    await this.kill(name);
    this.envs[name] = { ...this.envs[name], ...env };
    this.spawn(name);
    await this.waitUntilReady(60_000);
  }

  async stop(): Promise<void> {
    if (this.closed) {
      return;
    }
    this.closed = true;
    // The gateway first (no new requests), then the services, then the database.
    await this.stopOne('gateway');
    await Promise.all(serviceNames.filter((n) => n !== 'gateway').map((n) => this.stopOne(n)));
    await this.postgres?.stop();
  }

  private async stopOne(name: ServiceName): Promise<void> {
    const service = this.services.get(name);
    if (!service || service.child.exitCode !== null || service.child.signalCode !== null) {
      return;
    }
    service.stopping = true;
    service.child.kill('SIGTERM');
    const timer = setTimeout(() => service.child.kill('SIGKILL'), 10_000);
    await service.exited;
    clearTimeout(timer);
  }

  private spawn(name: ServiceName): void {
    const log = openSync(this.logFile(name), 'a');
    const child = fork(join(root, 'services', name, 'src', 'main.ts'), [], {
      cwd: root,
      env: this.envs[name],
      execArgv: [
        '-r',
        '@swc-node/register',
        '--enable-source-maps',
        ...(this.options.nodeOptions ?? []),
      ],
      stdio: ['ignore', log, log, 'ipc'],
      // Own process group: a terminal's Ctrl-C reaches only the launcher, which stops things in order.
      detached: true,
    });
    closeSync(log);
    const exited = new Promise<number | null>((done) => child.once('exit', (code) => done(code)));
    const service: RunningService = { name, child, exited, stopping: false };
    this.services.set(name, service);
    void exited.then((code) => {
      if (service.stopping || this.closed) {
        return;
      }
      // The log's last line says why, where the log itself may not outlive the run (a CI machine's).
      this.options.onEvent?.(
        `${name} exited (${code ?? child.signalCode}); see ${this.logFile(name)}; it ends: ${this.logTail(name, 1).slice(0, 400)}`,
      );
      if (this.options.supervise) {
        setTimeout(() => {
          if (!this.closed && this.services.get(name) === service) {
            this.options.onEvent?.(`restarting ${name}`);
            this.spawn(name);
          }
        }, 1000);
      }
    });
  }
}
