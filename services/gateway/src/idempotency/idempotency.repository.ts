import type { Sql } from '@fluxnote/persistence';

/** A key's record: the request it was first used for, and the answer once there is one. */
export interface KeyRecord {
  requestHash: string;
  state: string;
  responseStatus: number;
  responseBody: unknown;
}

/** The rows of `gateway.idempotency_keys`: reads and writes only. idempotency.service.ts decides. */
export const idempotencyRows = {
  /**
   * Claims the key for this request; also takes over a claim of the same request abandoned
   * longer than `abandonedMs` ago (timed by the database's clock). False when it is held.
   */
  async claim(
    sql: Sql,
    userId: string,
    key: string,
    requestHash: string,
    abandonedMs: number,
  ): Promise<boolean> {
    const claimed = await sql.query<unknown[]>(
      `INSERT INTO gateway.idempotency_keys (user_id, key, request_hash, state) VALUES ($1, $2, $3, 'in_progress')
       ON CONFLICT (user_id, key) DO UPDATE SET created_at = now()
         WHERE gateway.idempotency_keys.state = 'in_progress'
           AND gateway.idempotency_keys.created_at < now() - $4::int * interval '1 millisecond'
           AND gateway.idempotency_keys.request_hash = EXCLUDED.request_hash
       RETURNING key`,
      [userId, key, requestHash, abandonedMs],
    );
    return claimed.length > 0;
  },

  async record(sql: Sql, userId: string, key: string): Promise<KeyRecord | undefined> {
    const [row] = await sql.query<
      { request_hash: string; state: string; response_status: number; response_body: unknown }[]
    >(
      `SELECT request_hash, state, response_status, response_body FROM gateway.idempotency_keys WHERE user_id = $1 AND key = $2`,
      [userId, key],
    );
    return (
      row && {
        requestHash: row.request_hash,
        state: row.state,
        responseStatus: row.response_status,
        responseBody: row.response_body,
      }
    );
  },

  async storeAnswer(
    sql: Sql,
    userId: string,
    key: string,
    answer: { status: number; body: unknown },
  ): Promise<void> {
    await sql.query(
      `UPDATE gateway.idempotency_keys SET state = 'done', response_status = $3, response_body = $4 WHERE user_id = $1 AND key = $2`,
      [userId, key, answer.status, JSON.stringify(answer.body)],
    );
  },

  async release(sql: Sql, userId: string, key: string): Promise<void> {
    await sql.query(`DELETE FROM gateway.idempotency_keys WHERE user_id = $1 AND key = $2`, [
      userId,
      key,
    ]);
  },

  async forgetUser(sql: Sql, userId: string): Promise<void> {
    await sql.query(`DELETE FROM gateway.idempotency_keys WHERE user_id = $1`, [userId]);
  },
};
