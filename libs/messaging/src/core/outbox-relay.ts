import { Client } from 'pg';
import type { DataSource } from 'typeorm';
import type { EventEnvelope } from './envelope';
import { outboxChannel } from './outbox';
import type { EventTransport } from './transport';

interface OutboxRow {
  seq: string;
  topic: string;
  key: string;
  envelope: EventEnvelope;
}

export interface OutboxRelayOptions {
  dataSource: DataSource;
  databaseUrl: string;
  schema: string;
  transport: EventTransport;
  batchSize?: number;
  /** Poll interval when no notification arrives (a safety net for lost NOTIFYs). */
  idlePollMs?: number;
  onError?: (error: unknown) => void;
}

/**
 * Moves committed outbox rows to the event transport, in commit order.
 * Rows are locked while they are published, so relays in several replicas never
 * publish out of order; published rows are deleted in the same transaction. A
 * crash between publish and commit republishes, and
 * consumers drop the duplicate by event id.
 */
export class OutboxRelay {
  private running = false;
  private wake: (() => void) | undefined;
  private loop: Promise<void> | undefined;
  private listener: Client | undefined;

  constructor(private readonly options: OutboxRelayOptions) {}

  async start(): Promise<void> {
    this.running = true;
    this.listener = new Client({
      connectionString: this.options.databaseUrl,
      application_name: `${this.options.schema}-relay`,
    });
    this.listener.on('error', (error) => this.options.onError?.(error));
    this.listener.on('notification', () => this.wake?.());
    await this.listener.connect();
    await this.listener.query(`LISTEN ${outboxChannel(this.options.schema)}`);
    this.loop = this.run();
  }

  async stop(): Promise<void> {
    this.running = false;
    this.wake?.();
    await this.loop;
    await this.listener?.end().catch(() => undefined);
  }

  /** Publishes one batch; returns how many events were published. */
  async publishBatch(): Promise<number> {
    const { dataSource, schema, transport } = this.options;
    const limit = this.options.batchSize ?? 500;
    return dataSource.transaction(async (manager) => {
      const rows = await manager.query<OutboxRow[]>(
        `SELECT seq, topic, key, envelope FROM "${schema}".outbox
          ORDER BY seq LIMIT $1 FOR UPDATE`,
        [limit],
      );
      if (rows.length === 0) {
        return 0;
      }
      await transport.publish(
        rows.map((r) => ({ topic: r.topic, key: r.key, envelope: r.envelope })),
      );
      await manager.query(`DELETE FROM "${schema}".outbox WHERE seq = ANY($1::bigint[])`, [
        rows.map((r) => r.seq),
      ]);
      return rows.length;
    });
  }

  private async run(): Promise<void> {
    const idle = this.options.idlePollMs ?? 1000;
    let failures = 0;
    while (this.running) {
      let published = 0;
      try {
        published = await this.publishBatch();
        failures = 0;
      } catch (error) {
        failures++;
        this.options.onError?.(error);
      }
      if (published === 0 && this.running) {
        const wait = failures > 0 ? Math.min(100 * 2 ** failures, 5000) : idle;
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, wait);
          this.wake = () => {
            clearTimeout(timer);
            resolve();
          };
        });
        this.wake = undefined;
      }
    }
  }
}
