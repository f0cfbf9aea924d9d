import type { EntityManager } from 'typeorm';
import type { Message } from '../messages/templates';

/**
 * The rows of `notifications.broadcasts` and the recipients still waiting for one: reads and
 * writes only. broadcasts.ts sends them in batches.
 */
export const broadcastRows = {
  /** The broadcast and the users it goes to, once per broadcast id. */
  async insert(
    manager: EntityManager,
    broadcast: { id: string; message: Message; data: Record<string, unknown>; at: Date },
    userIds: readonly string[],
  ): Promise<void> {
    await manager.query(
      `INSERT INTO notifications.broadcasts (id, message, data, created_at) VALUES ($1, $2, $3, $4)
       ON CONFLICT (id) DO NOTHING`,
      [
        broadcast.id,
        JSON.stringify(broadcast.message),
        JSON.stringify(broadcast.data),
        broadcast.at,
      ],
    );
    await manager.query(
      `INSERT INTO notifications.broadcast_recipients (broadcast_id, user_id)
       SELECT $1, u FROM unnest($2::uuid[]) u ON CONFLICT DO NOTHING`,
      [broadcast.id, userIds],
    );
  },

  /** Takes up to `limit` waiting recipients off the list (other takers skip them), by broadcast. */
  async take(manager: EntityManager, limit: number): Promise<Map<string, string[]>> {
    // (a DELETE … RETURNING comes back from TypeORM as [rows, count])
    const [taken] = await manager.query<[{ broadcast_id: string; user_id: string }[], number]>(
      `DELETE FROM notifications.broadcast_recipients r
        USING (SELECT broadcast_id, user_id FROM notifications.broadcast_recipients
                LIMIT $1 FOR UPDATE SKIP LOCKED) picked
        WHERE r.broadcast_id = picked.broadcast_id AND r.user_id = picked.user_id
        RETURNING r.broadcast_id, r.user_id`,
      [limit],
    );
    const byBroadcast = new Map<string, string[]>();
    for (const row of taken) {
      byBroadcast.set(row.broadcast_id, [
        ...(byBroadcast.get(row.broadcast_id) ?? []),
        row.user_id,
      ]);
    }
    return byBroadcast;
  },

  async message(
    manager: EntityManager,
    id: string,
  ): Promise<{ message: Message; data: Record<string, unknown> }> {
    const [broadcast] = await manager.query<{ message: Message; data: Record<string, unknown> }[]>(
      `SELECT message, data FROM notifications.broadcasts WHERE id = $1`,
      [id],
    );
    return broadcast;
  },
};
