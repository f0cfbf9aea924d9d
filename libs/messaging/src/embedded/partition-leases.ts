import type { Pool } from 'pg';

export interface OwnedPartition {
  topic: string;
  partition: number;
}

/**
 * Spreads a consumer group's partitions over its live members. Each member
 * heartbeats, holds at most its fair share of leases, and takes over the leases
 * of members whose heartbeat stopped (a crashed process).
 */
export class PartitionLeases {
  private owned: OwnedPartition[] = [];
  private lastRefresh = 0;
  readonly heartbeatMs: number;

  constructor(
    private readonly pool: Pool,
    private readonly group: string,
    private readonly memberId: string,
    private readonly partitions: Map<string, number>,
    private readonly sessionTimeoutMs: number,
  ) {
    this.heartbeatMs = Math.max(100, Math.floor(sessionTimeoutMs / 3));
  }

  async join(): Promise<void> {
    for (const [topic, count] of this.partitions) {
      await this.pool.query(
        `INSERT INTO bus.leases (group_id, topic, partition)
         SELECT $1, $2, g FROM generate_series(0, $3::int - 1) g ON CONFLICT DO NOTHING`,
        [this.group, topic, count],
      );
    }
    this.lastRefresh = 0;
    await this.refresh();
  }

  owns(topic: string, partition: number): boolean {
    return this.owned.some((p) => p.topic === topic && p.partition === partition);
  }

  /** Heartbeats and rebalances at most once per heartbeat interval; returns the partitions held. */
  async refresh(): Promise<OwnedPartition[]> {
    if (Date.now() - this.lastRefresh < this.heartbeatMs) {
      return this.owned;
    }
    this.lastRefresh = Date.now();
    const session = `${this.sessionTimeoutMs} milliseconds`;
    const topics = [...this.partitions.keys()];
    const total = [...this.partitions.values()].reduce((a, b) => a + b, 0);
    const client = await this.pool.connect();
    try {
      await client.query('BEGIN');
      await client.query(
        `INSERT INTO bus.members (group_id, member_id, heartbeat_at) VALUES ($1, $2, now())
         ON CONFLICT (group_id, member_id) DO UPDATE SET heartbeat_at = now()`,
        [this.group, this.memberId],
      );
      await client.query(
        `DELETE FROM bus.members WHERE group_id = $1 AND heartbeat_at < now() - $2::interval`,
        [this.group, session],
      );
      const { rows: live } = await client.query<{ n: string }>(
        'SELECT count(*) AS n FROM bus.members WHERE group_id = $1',
        [this.group],
      );
      const fairShare = Math.ceil(total / Math.max(1, Number(live[0].n)));
      await client.query(
        `UPDATE bus.leases SET expires_at = now() + $3::interval
          WHERE group_id = $1 AND member_id = $2 AND topic = ANY($4)`,
        [this.group, this.memberId, session, topics],
      );
      const { rows: mine } = await client.query<OwnedPartition>(
        `SELECT topic, partition FROM bus.leases WHERE group_id = $1 AND member_id = $2 AND topic = ANY($3)
          ORDER BY topic, partition`,
        [this.group, this.memberId, topics],
      );
      if (mine.length > fairShare) {
        const extra = mine.slice(fairShare);
        for (const p of extra) {
          await client.query(
            `UPDATE bus.leases SET member_id = NULL, expires_at = '-infinity'
              WHERE group_id = $1 AND topic = $2 AND partition = $3 AND member_id = $4`,
            [this.group, p.topic, p.partition, this.memberId],
          );
        }
        mine.splice(fairShare);
      } else if (mine.length < fairShare) {
        const { rows: claimed } = await client.query<OwnedPartition>(
          `UPDATE bus.leases l SET member_id = $2, expires_at = now() + $3::interval
             FROM (SELECT group_id, topic, partition FROM bus.leases
                    WHERE group_id = $1 AND topic = ANY($4) AND (member_id IS NULL OR expires_at < now())
                    ORDER BY topic, partition LIMIT $5 FOR UPDATE SKIP LOCKED) free
            WHERE l.group_id = free.group_id AND l.topic = free.topic AND l.partition = free.partition
            RETURNING l.topic, l.partition`,
          [this.group, this.memberId, session, topics, fairShare - mine.length],
        );
        mine.push(...claimed);
      }
      await client.query('COMMIT');
      this.owned = mine;
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      this.owned = [];
      throw error;
    } finally {
      client.release();
    }
    return this.owned;
  }

  async leave(): Promise<void> {
    this.owned = [];
    await this.pool.query(
      `UPDATE bus.leases SET member_id = NULL, expires_at = '-infinity' WHERE group_id = $1 AND member_id = $2`,
      [this.group, this.memberId],
    );
    await this.pool.query('DELETE FROM bus.members WHERE group_id = $1 AND member_id = $2', [
      this.group,
      this.memberId,
    ]);
  }
}
