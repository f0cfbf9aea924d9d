import { Injectable } from '@nestjs/common';
import { createHash } from 'node:crypto';
import { DataSource } from 'typeorm';
import { ProblemError } from '@fluxnote/contracts';

export interface StoredResponse {
  status: number;
  body: unknown;
}

/** A request holding its key longer than this is taken to have died; a retry may run it again. */
const ABANDONED_MS = 60_000;

/**
 * `Idempotency-Key` for POSTs that create or move money or credits: the first
 * response (success or refusal) is stored and replayed for a repeat with the
 * same key; a repeat with a different body is refused; a failure on our side
 * (5xx) frees the key so the client can retry. The services behind are
 * idempotent by their own keys as well, so a replay after a crash is safe.
 */
@Injectable()
export class IdempotencyService {
  constructor(private readonly dataSource: DataSource) {}

  /** Account deletion: the stored responses of a user go with the account. */
  async forget(userId: string): Promise<void> {
    await this.dataSource.query(`DELETE FROM gateway.idempotency_keys WHERE user_id = $1`, [
      userId,
    ]);
  }

  async run(
    userId: string,
    key: string | undefined,
    fingerprint: unknown,
    execute: () => Promise<StoredResponse>,
  ): Promise<StoredResponse> {
    if (key === undefined) {
      return execute();
    }
    if (key.length === 0 || key.length > 255) {
      throw ProblemError.badRequest('Idempotency-Key must be 1 to 255 characters.', {
        field: 'Idempotency-Key',
      });
    }
    const requestHash = createHash('sha256').update(JSON.stringify(fingerprint)).digest('hex');
    const claimed = await this.dataSource.query<unknown[]>(
      `INSERT INTO gateway.idempotency_keys (user_id, key, request_hash, state) VALUES ($1, $2, $3, 'in_progress')
       ON CONFLICT (user_id, key) DO UPDATE SET created_at = now()
         WHERE gateway.idempotency_keys.state = 'in_progress'
           AND gateway.idempotency_keys.created_at < now() - $4::int * interval '1 millisecond'
           AND gateway.idempotency_keys.request_hash = EXCLUDED.request_hash
       RETURNING key`,
      [userId, key, requestHash, ABANDONED_MS],
    );
    if (claimed.length === 0) {
      return this.replay(userId, key, requestHash);
    }
    let response: StoredResponse;
    try {
      response = await execute();
    } catch (error) {
      if (error instanceof ProblemError && error.problem.status < 500) {
        response = { status: error.problem.status, body: error };
      } else {
        await this.dataSource.query(
          `DELETE FROM gateway.idempotency_keys WHERE user_id = $1 AND key = $2`,
          [userId, key],
        );
        throw error;
      }
    }
    const stored =
      response.body instanceof ProblemError
        ? { status: response.status, body: { problem: response.body.problem } }
        : response;
    await this.dataSource.query(
      `UPDATE gateway.idempotency_keys SET state = 'done', response_status = $3, response_body = $4 WHERE user_id = $1 AND key = $2`,
      [userId, key, stored.status, JSON.stringify(stored.body)],
    );
    if (response.body instanceof ProblemError) {
      throw response.body;
    }
    return response;
  }

  private async replay(userId: string, key: string, requestHash: string): Promise<StoredResponse> {
    const rows = await this.dataSource.query<
      { request_hash: string; state: string; response_status: number; response_body: unknown }[]
    >(
      `SELECT request_hash, state, response_status, response_body FROM gateway.idempotency_keys WHERE user_id = $1 AND key = $2`,
      [userId, key],
    );
    const row = rows[0];
    if (!row) {
      throw ProblemError.conflict('This Idempotency-Key was just released; retry.');
    }
    if (row.request_hash !== requestHash) {
      throw ProblemError.unprocessable(
        'idempotency-key-reused',
        'Idempotency-Key reused',
        'This Idempotency-Key was used for a different request. Use a new key for a new request.',
      );
    }
    if (row.state !== 'done') {
      throw ProblemError.conflict('A request with this Idempotency-Key is still in progress.');
    }
    const body = row.response_body as { problem?: ProblemError['problem'] };
    if (body && typeof body === 'object' && 'problem' in body && body.problem) {
      throw new ProblemError(body.problem);
    }
    return { status: row.response_status, body: row.response_body };
  }
}
