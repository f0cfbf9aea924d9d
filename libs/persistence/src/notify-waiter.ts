import { EventEmitter } from 'node:events';
import { Client } from 'pg';
import { draining } from '@fluxnote/telemetry';

/**
 * Long polls woken by Postgres NOTIFY: one LISTEN connection per process for a
 * channel whose payload is a key (a user, a ticket). `waitFor` answers at once
 * with what `read` finds, or waits until a NOTIFY for that key (sent at the
 * writer's commit) or `waitMs` passes, and reads again. It listens before the
 * first read, so a row committed in between still wakes it.
 */
export class NotifyWaiter {
  private readonly wakeups = new EventEmitter().setMaxListeners(0);
  private listener?: Promise<Client>;
  private ending = false;

  constructor(
    private readonly databaseUrl: string,
    private readonly channel: string,
    private readonly onLost: (error: Error) => void = () => undefined,
  ) {
    if (!/^[a-z_][a-z0-9_]*$/.test(channel)) {
      throw new Error(`not a channel name: ${channel}`);
    }
    // a draining process answers its long polls at once (the caller polls again elsewhere)
    draining.onBegin(() => this.wakeAll());
  }

  /** Every wait answers now with what it finds, and later ones do not wait. */
  wakeAll(): void {
    this.ending = true;
    for (const key of this.wakeups.eventNames()) {
      this.wakeups.emit(key);
    }
  }

  async waitFor<T>(key: string, read: () => Promise<T[]>, waitMs: number): Promise<T[]> {
    await this.listen();
    let wake!: () => void;
    const woken = new Promise<void>((resolve) => (wake = resolve));
    this.wakeups.on(key, wake);
    let timer: NodeJS.Timeout | undefined;
    try {
      const found = await read();
      if (found.length > 0 || this.ending) {
        return found;
      }
      const timeout = new Promise<void>((resolve) => {
        timer = setTimeout(resolve, Math.min(Math.max(waitMs, 0), 30_000));
      });
      await Promise.race([woken, timeout]);
      return await read();
    } finally {
      clearTimeout(timer);
      this.wakeups.off(key, wake);
    }
  }

  async close(): Promise<void> {
    const client = await this.listener?.catch(() => undefined);
    await client?.end().catch(() => undefined);
  }

  private listen(): Promise<Client> {
    this.listener ??= (async () => {
      const client = new Client({
        connectionString: this.databaseUrl,
        application_name: `${this.channel}-listener`,
      });
      client.on('notification', (message) => {
        if (message.channel === this.channel && message.payload) {
          this.wakeups.emit(message.payload);
        }
      });
      client.on('error', (error) => {
        // Waits keep working by their timeouts; the next call listens again.
        this.onLost(error);
        this.listener = undefined;
      });
      await client.connect();
      await client.query(`LISTEN ${this.channel}`);
      return client;
    })();
    return this.listener;
  }
}
