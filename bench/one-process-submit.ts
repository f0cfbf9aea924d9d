// The yardstick for the gateway's submit: the same work in one process, built for the benchmark
// and not product code. One NestJS route that verifies the same ES256 access token (the
// platform's JWKS), validates the body, runs the same content-safety check, and in one statement
// (one commit, the same database and durability) claims the Idempotency-Key, holds the credit
// with the same conditional UPDATE, writes the reservation, its ledger entry, the queued job and
// its outbox event. Tables of its own (schema bench_reference), made and dropped by the bench.
// Prints its port.
import { Body, Controller, Headers, HttpException, Module, Post, Res } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { createLocalJWKSet, jwtVerify, type JSONWebKeySet } from 'jose';
import { createHash, randomUUID } from 'node:crypto';
import { Pool } from 'pg';
import { z } from 'zod';
import { checkPromptSafety } from '../services/generation/src/safety/prompt-safety';

const env = (name: string): string => {
  const value = process.env[name];
  if (!value) {
    throw new Error(`${name} is required`);
  }
  return value;
};

export const referenceSchema = `
  DROP SCHEMA IF EXISTS bench_reference CASCADE;
  CREATE SCHEMA bench_reference;
  CREATE TABLE bench_reference.idempotency_keys (
    user_id uuid NOT NULL, key text NOT NULL, request_hash text NOT NULL, state text NOT NULL,
    response_status int, response_body jsonb, created_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (user_id, key));
  CREATE TABLE bench_reference.credit_balances (
    user_id uuid NOT NULL, pool text NOT NULL, allowance int NOT NULL, pack_credits int NOT NULL DEFAULT 0,
    used int NOT NULL DEFAULT 0, reserved int NOT NULL DEFAULT 0, PRIMARY KEY (user_id, pool));
  CREATE TABLE bench_reference.reservations (
    key text PRIMARY KEY, user_id uuid, status text NOT NULL, video_credits int NOT NULL,
    image_credits int NOT NULL, expires_at timestamptz NOT NULL, created_at timestamptz NOT NULL);
  CREATE TABLE bench_reference.credit_entries (
    id bigserial PRIMARY KEY, user_id uuid NOT NULL, pool text NOT NULL, kind text NOT NULL,
    amount int NOT NULL, reservation_key text, created_at timestamptz NOT NULL DEFAULT now());
  CREATE INDEX ON bench_reference.credit_entries (user_id, id);
  CREATE TABLE bench_reference.jobs (
    id uuid PRIMARY KEY, user_id uuid NOT NULL, idempotency_key text, status text NOT NULL,
    model text NOT NULL, mode text NOT NULL, prompt text NOT NULL, video_credits int NOT NULL,
    lane smallint NOT NULL, created_at timestamptz NOT NULL, UNIQUE (user_id, idempotency_key));
  CREATE INDEX ON bench_reference.jobs (lane, created_at) WHERE status = 'queued';
  CREATE INDEX ON bench_reference.jobs (user_id, created_at DESC);
  CREATE TABLE bench_reference.outbox (
    id bigserial PRIMARY KEY, event_id uuid NOT NULL, topic text NOT NULL, key text NOT NULL,
    payload jsonb NOT NULL, created_at timestamptz NOT NULL DEFAULT now());
`;

const submit = `
  WITH claim AS (
    INSERT INTO bench_reference.idempotency_keys (user_id, key, request_hash, state, response_status, response_body)
    VALUES ($1, $2, $3, 'done', 202, $7::jsonb) ON CONFLICT DO NOTHING RETURNING user_id
  ), hold AS (
    UPDATE bench_reference.credit_balances b SET reserved = b.reserved + 1
     WHERE b.user_id = $1 AND b.pool = 'video' AND EXISTS (SELECT 1 FROM claim)
       AND b.allowance + b.pack_credits - b.used - b.reserved >= 1
    RETURNING b.user_id
  ), reservation AS (
    INSERT INTO bench_reference.reservations (key, user_id, status, video_credits, image_credits, expires_at, created_at)
    SELECT $4, user_id, 'pending', 1, 0, now() + interval '1 hour', now() FROM hold
  ), entry AS (
    INSERT INTO bench_reference.credit_entries (user_id, pool, kind, amount, reservation_key)
    SELECT user_id, 'video', 'reserve', 1, $4 FROM hold
  ), job AS (
    INSERT INTO bench_reference.jobs (id, user_id, idempotency_key, status, model, mode, prompt, video_credits, lane, created_at)
    SELECT $4::uuid, user_id, $2, 'queued', $5, $6, $8, 1, 1, now() FROM hold RETURNING id
  ), event AS (
    INSERT INTO bench_reference.outbox (event_id, topic, key, payload)
    SELECT gen_random_uuid(), 'generation.job.queued', $1, jsonb_build_object('jobId', id, 'userId', $1::text, 'model', $5::text)
      FROM job
  )
  SELECT (SELECT count(*) FROM claim)::int AS claimed, (SELECT count(*) FROM hold)::int AS held`;

const bodySchema = z.object({
  model: z.string().min(1).max(64),
  mode: z.enum(['text-to-video', 'image-to-video', 'text-to-image']),
  prompt: z.string().trim().min(1).max(4000),
});

/** Its database and the token settings, from the environment the bench gives it. */
let setup:
  | {
      pool: Pool;
      jwks: ReturnType<typeof createLocalJWKSet>;
      issuer: string;
      audience: string;
    }
  | undefined;

const problem = (status: number, type: string, detail: string): HttpException =>
  new HttpException({ type, status, detail }, status);

@Controller()
class ReferenceController {
  @Post('v1/generations')
  async submit(
    @Headers('authorization') authorization: string | undefined,
    @Headers('idempotency-key') key: string | undefined,
    @Body() body: unknown,
    @Res({ passthrough: true }) response: { status(code: number): void },
  ): Promise<unknown> {
    const token = /^Bearer (.+)$/.exec(authorization ?? '')?.[1];
    if (!token) {
      throw problem(401, 'unauthorized', 'Authentication is required.');
    }
    const { pool, jwks, issuer, audience } = setup!;
    const { payload } = await jwtVerify(token, jwks, { issuer, audience, algorithms: ['ES256'] });
    const userId = payload.sub!;
    const input = bodySchema.safeParse(body);
    if (!input.success || !key) {
      throw problem(400, 'invalid-request', 'A job and an Idempotency-Key are required.');
    }
    const verdict = checkPromptSafety(input.data.prompt);
    if (!verdict.allowed) {
      throw problem(422, 'content-policy', verdict.explanation);
    }
    const jobId = randomUUID();
    const view = { id: jobId, status: 'queued', model: input.data.model, lane: 'shared' };
    const requestHash = createHash('sha256').update(JSON.stringify(input.data)).digest('hex');
    const {
      rows: [outcome],
    } = await pool.query<{ claimed: number; held: number }>(submit, [
      userId,
      key,
      requestHash,
      jobId,
      input.data.model,
      input.data.mode,
      JSON.stringify(view),
      input.data.prompt,
    ]);
    if (outcome.claimed === 0) {
      const { rows } = await pool.query<{ response_status: number; response_body: unknown }>(
        `SELECT response_status, response_body FROM bench_reference.idempotency_keys WHERE user_id = $1 AND key = $2`,
        [userId, key],
      );
      response.status(rows[0].response_status);
      return rows[0].response_body;
    }
    if (outcome.held === 0) {
      const refused = { type: 'insufficient-credits', status: 402, detail: 'No credits left.' };
      await pool.query(
        `UPDATE bench_reference.idempotency_keys SET response_status = 402, response_body = $3 WHERE user_id = $1 AND key = $2`,
        [userId, key, JSON.stringify(refused)],
      );
      throw new HttpException(refused, 402);
    }
    response.status(202);
    return view;
  }
}

@Module({ controllers: [ReferenceController] })
class ReferenceModule {}

async function main(): Promise<void> {
  setup = {
    pool: new Pool({ connectionString: env('DATABASE_URL'), max: 16 }),
    jwks: createLocalJWKSet(JSON.parse(env('REFERENCE_JWKS')) as JSONWebKeySet),
    issuer: env('REFERENCE_ISSUER'),
    audience: env('REFERENCE_AUDIENCE'),
  };
  const app = await NestFactory.create(ReferenceModule, { logger: false });
  await app.listen(0, '127.0.0.1');
  const { port } = (app.getHttpServer() as { address(): { port: number } }).address();
  process.stdout.write(`${port}\n`);
}

if (require.main === module) {
  void main();
}
