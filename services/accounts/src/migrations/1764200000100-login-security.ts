import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Login history, trusted devices, emailed codes, throttles, one-time links and ended sessions. */
export class LoginSecurity1764200000100 implements MigrationInterface {
  name = 'LoginSecurity1764200000100';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE accounts.users ADD COLUMN status_changed_at timestamptz`);
    await q.query(`
      CREATE TABLE accounts.logins (
        id uuid PRIMARY KEY,
        user_id uuid NOT NULL REFERENCES accounts.users (id) ON DELETE CASCADE,
        device_key text NOT NULL,
        device text NOT NULL,
        ip text,
        country text,
        outcome text NOT NULL,
        created_at timestamptz NOT NULL,
        seq bigserial NOT NULL
      )`);
    await q.query(
      `CREATE INDEX logins_user_idx ON accounts.logins (user_id, created_at DESC, seq DESC)`,
    );
    await q.query(`
      CREATE TABLE accounts.known_devices (
        user_id uuid NOT NULL REFERENCES accounts.users (id) ON DELETE CASCADE,
        device_key text NOT NULL,
        first_seen_at timestamptz NOT NULL,
        last_seen_at timestamptz NOT NULL,
        PRIMARY KEY (user_id, device_key)
      )`);
    await q.query(`
      CREATE TABLE accounts.login_challenges (
        id uuid PRIMARY KEY,
        user_id uuid NOT NULL REFERENCES accounts.users (id) ON DELETE CASCADE,
        code_hash text NOT NULL,
        device_key text NOT NULL,
        device text NOT NULL,
        ip text,
        country text,
        attempts integer NOT NULL DEFAULT 0,
        expires_at timestamptz NOT NULL,
        completed_at timestamptz,
        created_at timestamptz NOT NULL
      )`);
    await q.query(`
      CREATE TABLE accounts.throttles (
        key text PRIMARY KEY,
        failures integer NOT NULL,
        window_started_at timestamptz NOT NULL,
        last_failure_at timestamptz NOT NULL,
        lockouts integer NOT NULL DEFAULT 0,
        locked_until timestamptz
      )`);
    await q.query(`
      CREATE TABLE accounts.action_tokens (
        token_hash text PRIMARY KEY,
        user_id uuid NOT NULL REFERENCES accounts.users (id) ON DELETE CASCADE,
        purpose text NOT NULL,
        expires_at timestamptz NOT NULL,
        used_at timestamptz,
        created_at timestamptz NOT NULL
      )`);
    await q.query(
      `CREATE INDEX action_tokens_user_idx ON accounts.action_tokens (user_id, purpose, created_at DESC)`,
    );
    await q.query(`
      CREATE TABLE accounts.session_revocations (
        seq bigserial PRIMARY KEY,
        user_id uuid NOT NULL,
        session_id uuid NOT NULL,
        ended_at timestamptz NOT NULL,
        expires_at timestamptz NOT NULL
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    for (const table of [
      'session_revocations',
      'action_tokens',
      'throttles',
      'login_challenges',
      'known_devices',
      'logins',
    ]) {
      await q.query(`DROP TABLE accounts.${table}`);
    }
    await q.query(`ALTER TABLE accounts.users DROP COLUMN status_changed_at`);
  }
}
