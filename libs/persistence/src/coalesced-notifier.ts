import type { DataSource } from 'typeorm';
import { PreparedStatement } from './prepared-statement';

const notifyAll = new PreparedStatement(
  `SELECT pg_notify(channel, payload) FROM unnest($1::text[], $2::text[]) AS t (channel, payload)`,
);

/**
 * Postgres NOTIFY sent after the writer's commit, many at once. A NOTIFY inside a busy
 * transaction makes its commit wait for every other notifying commit (Postgres queues
 * notifications under one lock held through the commit), so hot paths commit first and hand
 * their wake-ups here. One statement carries everything asked for since the last one, and at
 * most one is in flight: under load the wake-ups of many commits share one notifying
 * transaction. Best effort, like NOTIFY itself: listeners also poll.
 */
export class CoalescedNotifier {
  private readonly pending = new Map<string, Set<string>>();
  private flushing: Promise<void> | undefined;

  constructor(
    private readonly dataSource: DataSource,
    private readonly onError: (error: unknown) => void = () => undefined,
  ) {}

  /** Queues a NOTIFY of `payload` on `channel`; call it once the change it announces is committed. */
  notify(channel: string, payload: string): void {
    let payloads = this.pending.get(channel);
    if (!payloads) {
      payloads = new Set();
      this.pending.set(channel, payloads);
    }
    payloads.add(payload);
    this.flushing ??= this.flush();
  }

  /** Resolves once everything queued so far was sent (or failed). */
  async idle(): Promise<void> {
    while (this.flushing) {
      await this.flushing;
    }
  }

  private async flush(): Promise<void> {
    try {
      // Whatever else this turn of the event loop asks for goes in the same statement.
      await new Promise((resolve) => setImmediate(resolve));
      while (this.pending.size > 0) {
        const channels: string[] = [];
        const payloads: string[] = [];
        for (const [channel, set] of this.pending) {
          for (const payload of set) {
            channels.push(channel);
            payloads.push(payload);
          }
        }
        this.pending.clear();
        try {
          await notifyAll.run(this.dataSource, [channels, payloads]);
        } catch (error) {
          this.onError(error);
        }
      }
    } finally {
      this.flushing = undefined;
    }
  }
}
