import { Injectable } from '@nestjs/common';
import { createHash } from 'node:crypto';
import { DataSource } from 'typeorm';
import { ProblemError } from '@fluxnote/contracts';
import { idempotencyRows } from './idempotency.repository';

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
    await idempotencyRows.forgetUser(this.dataSource, userId);
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
    if (!(await idempotencyRows.claim(this.dataSource, userId, key, requestHash, ABANDONED_MS))) {
      return this.replay(userId, key, requestHash);
    }
    let response: StoredResponse;
    try {
      response = await execute();
    } catch (error) {
      if (error instanceof ProblemError && error.problem.status < 500) {
        response = { status: error.problem.status, body: error };
      } else {
        await idempotencyRows.release(this.dataSource, userId, key);
        throw error;
      }
    }
    const stored =
      response.body instanceof ProblemError
        ? { status: response.status, body: { problem: response.body.problem } }
        : response;
    await idempotencyRows.storeAnswer(this.dataSource, userId, key, stored);
    if (response.body instanceof ProblemError) {
      throw response.body;
    }
    return response;
  }

  private async replay(userId: string, key: string, requestHash: string): Promise<StoredResponse> {
    const row = await idempotencyRows.record(this.dataSource, userId, key);
    if (!row) {
      throw ProblemError.conflict('This Idempotency-Key was just released; retry.');
    }
    if (row.requestHash !== requestHash) {
      throw ProblemError.unprocessable(
        'idempotency-key-reused',
        'Idempotency-Key reused',
        'This Idempotency-Key was used for a different request. Use a new key for a new request.',
      );
    }
    if (row.state !== 'done') {
      throw ProblemError.conflict('A request with this Idempotency-Key is still in progress.');
    }
    const body = row.responseBody as { problem?: ProblemError['problem'] };
    if (body && typeof body === 'object' && 'problem' in body && body.problem) {
      throw new ProblemError(body.problem);
    }
    return { status: row.responseStatus, body: row.responseBody };
  }
}
