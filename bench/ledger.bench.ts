import { randomUUID } from 'node:crypto';
import { Pool, type PoolClient } from 'pg';
import { billingV1 } from '@fluxnote/contracts';
import { createGrpcClient } from '@fluxnote/grpc';
import type { Platform } from '../tools/launcher/platform';
import { fmt, rate } from './stats';

const USERS = 32;
const CONCURRENCY = 32;
const PAIRS = 4000;

/** Accounts with a balance no run exhausts, opened straight in billing's tables. */
async function openAccounts(pool: Pool, count: number): Promise<string[]> {
  const users = Array.from({ length: count }, () => randomUUID());
  await pool.query(
    `INSERT INTO billing.credit_accounts (user_id, brand, plan, period_start, period_end)
     SELECT u, 'fluxnote', 'max', now(), now() + interval '1 month' FROM unnest($1::uuid[]) AS u`,
    [users],
  );
  await pool.query(
    `INSERT INTO billing.credit_balances (user_id, pool, allowance)
     SELECT u, p, 100000000 FROM unnest($1::uuid[]) AS u, unnest(ARRAY['video', 'image']) AS p`,
    [users],
  );
  return users;
}

async function inTransaction(pool: Pool, work: (c: PoolClient) => Promise<void>): Promise<void> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    await work(client);
    await client.query('COMMIT');
  } catch (error) {
    await client.query('ROLLBACK');
    throw error;
  } finally {
    client.release();
  }
}

/**
 * Reserve → commit pairs through billing's gRPC API (generation's path), next to the
 * same two transactions issued raw with `pg` on the same Postgres: the ceiling.
 */
export async function benchLedger(
  platform: Platform,
  log: (line: string) => void,
): Promise<{ grpcPairsPerSecond: number; rawPairsPerSecond: number }> {
  const pool = new Pool({ connectionString: platform.databaseUrl, max: 10 });
  const handle = createGrpcClient<billingV1.LedgerServiceClient>(
    {
      package: billingV1.protobufPackage,
      file: billingV1.protobufFileName,
      service: billingV1.LEDGER_SERVICE_NAME,
    },
    platform.grpcAddress('billing'),
    { deadlineMs: 30_000, serviceLabel: 'bench' },
  );
  try {
    const users = await openAccounts(pool, USERS);
    const grpcPair = async (i: number): Promise<void> => {
      const key = `bench-${randomUUID()}`;
      await handle.client.reserve({
        key,
        userId: users[i % USERS],
        credits: { video: 1, image: 0 },
        ttlSeconds: 0,
      });
      await handle.client.commit({ key, reason: 'bench' });
    };
    await rate(500, CONCURRENCY, grpcPair); // warm-up
    const grpcPairsPerSecond = await rate(PAIRS, CONCURRENCY, grpcPair);
    log(
      `  reserve → commit over gRPC: ${fmt(grpcPairsPerSecond)} pairs/s (${CONCURRENCY} concurrent callers)`,
    );

    // The same statements the ledger runs, without the service: a pool as large as billing's.
    const rawPair = async (i: number): Promise<void> => {
      const key = `raw-${randomUUID()}`;
      const userId = users[i % USERS];
      await inTransaction(pool, async (c) => {
        const held = await c.query(
          `UPDATE billing.credit_balances SET reserved = reserved + 1
            WHERE user_id = $1 AND pool = 'video' AND allowance + pack_credits - used - reserved >= 1`,
          [userId],
        );
        if (held.rowCount !== 1) {
          throw new Error('short');
        }
        await c.query(
          `INSERT INTO billing.credit_entries (user_id, pool, kind, amount, reservation_key, created_at)
           VALUES ($1, 'video', 'reserve', 1, $2, now())`,
          [userId, key],
        );
        await c.query(
          `INSERT INTO billing.reservations (key, user_id, status, video_credits, image_credits, expires_at)
           VALUES ($1, $2, 'pending', 1, 0, now() + interval '1 day')`,
          [key, userId],
        );
      });
      await inTransaction(pool, async (c) => {
        await c.query(`SELECT status FROM billing.reservations WHERE key = $1 FOR UPDATE`, [key]);
        await c.query(
          `UPDATE billing.credit_balances SET reserved = reserved - 1, used = used + 1
            WHERE user_id = $1 AND pool = 'video'`,
          [userId],
        );
        await c.query(
          `INSERT INTO billing.credit_entries (user_id, pool, kind, amount, reservation_key, created_at)
           VALUES ($1, 'video', 'commit', 1, $2, now())`,
          [userId, key],
        );
        await c.query(
          `UPDATE billing.reservations SET status = 'committed', settled_at = now() WHERE key = $1`,
          [key],
        );
      });
    };
    await rate(500, CONCURRENCY, rawPair); // warm-up
    const rawPairsPerSecond = await rate(PAIRS, CONCURRENCY, rawPair);
    log(`  the same two transactions raw with pg: ${fmt(rawPairsPerSecond)} pairs/s`);
    return { grpcPairsPerSecond, rawPairsPerSecond };
  } finally {
    handle.close();
    await pool.end();
  }
}
