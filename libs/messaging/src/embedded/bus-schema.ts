import type { Pool } from 'pg';

/** The embedded bus's own tables, created once per database under an advisory lock. */
export async function ensureBusSchema(pool: Pool): Promise<void> {
  await pool.query(`
    DO $$ BEGIN
      PERFORM pg_advisory_xact_lock(hashtext('fluxnote.bus.schema'));
      CREATE SCHEMA IF NOT EXISTS bus;
      CREATE TABLE IF NOT EXISTS bus.topics (
        topic text PRIMARY KEY,
        partitions int NOT NULL CHECK (partitions > 0)
      );
      CREATE TABLE IF NOT EXISTS bus.partitions (
        topic text NOT NULL REFERENCES bus.topics (topic),
        partition int NOT NULL,
        next_offset bigint NOT NULL DEFAULT 0,
        PRIMARY KEY (topic, partition)
      );
      CREATE TABLE IF NOT EXISTS bus.events (
        topic text NOT NULL,
        partition int NOT NULL,
        "offset" bigint NOT NULL,
        key text NOT NULL,
        event_id text NOT NULL,
        envelope jsonb NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (topic, partition, "offset")
      );
      CREATE TABLE IF NOT EXISTS bus.consumer_offsets (
        group_id text NOT NULL,
        topic text NOT NULL,
        partition int NOT NULL,
        committed bigint NOT NULL DEFAULT -1,
        attempts int NOT NULL DEFAULT 0,
        retry_at timestamptz,
        last_error text,
        PRIMARY KEY (group_id, topic, partition)
      );
      CREATE TABLE IF NOT EXISTS bus.members (
        group_id text NOT NULL,
        member_id text NOT NULL,
        heartbeat_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (group_id, member_id)
      );
      CREATE TABLE IF NOT EXISTS bus.leases (
        group_id text NOT NULL,
        topic text NOT NULL,
        partition int NOT NULL,
        member_id text,
        expires_at timestamptz NOT NULL DEFAULT '-infinity',
        PRIMARY KEY (group_id, topic, partition)
      );
      CREATE TABLE IF NOT EXISTS bus.dead_letters (
        id bigserial PRIMARY KEY,
        group_id text NOT NULL,
        topic text NOT NULL,
        partition int NOT NULL,
        "offset" bigint NOT NULL,
        event_id text NOT NULL,
        envelope jsonb NOT NULL,
        error text NOT NULL,
        attempts int NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        resolution text CHECK (resolution IN ('replayed', 'discarded')),
        resolved_at timestamptz
      );
      -- Replayed or discarded by the dead-letters command (added after the first release).
      ALTER TABLE bus.dead_letters
        ADD COLUMN IF NOT EXISTS resolution text CHECK (resolution IN ('replayed', 'discarded')),
        ADD COLUMN IF NOT EXISTS resolved_at timestamptz;
    END $$;`);
}

export const BUS_CHANNEL = 'fluxnote_bus';
