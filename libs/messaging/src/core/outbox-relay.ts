import type { DataSource } from 'typeorm';
import { PreparedStatement } from '@fluxnote/persistence';
import type { EventEnvelope } from './envelope';
import { onOutboxCommit } from './outbox-signal';
import type { EventTransport } from './transport';

interface OutboxRow {
  seq: string;
  topic: string;
  key: string;
  envelope: EventEnvelope;
}

export interface OutboxRelayOptions {
  dataSource: DataSource;
  schema: string;
  transport: EventTransport;
  batchSize?: number;
  /**
   * Poll interval while no commit of this process wrote the outbox: finds rows that another
   * process (a replica that died before relaying them) left behind.
   */
  idlePollMs?: number;
  /**
   * How long the relay lets commits gather after a batch that did not fill up, so that under
   * load it publishes a few larger batches rather than one per commit (default 2 ms).
   */
  lingerMs?: number;
  onError?: (error: unknown) => void;
}

/** Commit order: `seq` is a bigint, sent as text. */
function bySeq(a: OutboxRow, b: OutboxRow): number {
  return a.seq.length - b.seq.length || (a.seq < b.seq ? -1 : a.seq > b.seq ? 1 : 0);
}

/**
 * Moves committed outbox rows to the event transport, in commit order; woken by this
 * process's commits that wrote the outbox (`outbox-signal.ts`), polling when idle.
 * Rows are locked while they are published, so relays in several replicas never
 * publish out of order; published rows are deleted in the same transaction. A
 * crash between publish and commit republishes, and
 * consumers drop the duplicate by event id.
 */
export class OutboxRelay {
  private running = false;
  private wake: (() => void) | undefined;
  /** A commit signalled while a batch was in flight: look again before sleeping. */
  private signalled = false;
  private loop: Promise<void> | undefined;
  private unsubscribe: (() => void) | undefined;
  private readonly takeBatch: PreparedStatement<OutboxRow>;

  constructor(private readonly options: OutboxRelayOptions) {
    // The oldest rows, locked and deleted; the deletion commits only once they are published.
    this.takeBatch = new PreparedStatement<OutboxRow>(
      `DELETE FROM "${options.schema}".outbox
        WHERE seq IN (SELECT seq FROM "${options.schema}".outbox ORDER BY seq LIMIT $1 FOR UPDATE)
       RETURNING seq, topic, key, envelope`,
    );
  }

  private get batchSize(): number {
    return this.options.batchSize ?? 500;
  }

  start(): Promise<void> {
    this.running = true;
    this.unsubscribe = onOutboxCommit(this.options.schema, () => {
      this.signalled = true;
      this.wake?.();
    });
    this.loop = this.run();
    return Promise.resolve();
  }

  async stop(): Promise<void> {
    this.running = false;
    this.unsubscribe?.();
    this.wake?.();
    await this.loop;
  }

  /** Publishes one batch; returns how many events were published. */
  async publishBatch(): Promise<number> {
    const { dataSource, transport } = this.options;
    const limit = this.batchSize;
    return dataSource.transaction(async (manager) => {
      const rows = (await this.takeBatch.run(manager, [limit])).sort(bySeq);
      if (rows.length === 0) {
        return 0;
      }
      await transport.publish(
        rows.map((r) => ({ topic: r.topic, key: r.key, envelope: r.envelope })),
      );
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
      const signalled = this.signalled;
      this.signalled = false;
      if (!this.running) {
        break;
      }
      if (failures > 0) {
        // the transport is failing: back off, whatever commits meanwhile
        await new Promise((resolve) => setTimeout(resolve, Math.min(100 * 2 ** failures, 5000)));
      } else if (published > 0 && published < this.batchSize) {
        await new Promise((resolve) => setTimeout(resolve, this.options.lingerMs ?? 2));
      } else if (published === 0 && !signalled) {
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, idle);
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
