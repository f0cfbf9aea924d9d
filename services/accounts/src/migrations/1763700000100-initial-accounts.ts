import type { MigrationInterface, QueryRunner } from 'typeorm';
import { messagingTablesSql } from '@fluxnote/messaging';

export class InitialAccounts1763700000100 implements MigrationInterface {
  name = 'InitialAccounts1763700000100';

  async up(q: QueryRunner): Promise<void> {
    for (const sql of messagingTablesSql('accounts')) {
      await q.query(sql);
    }
    await q.query(`
      CREATE TABLE accounts.users (
        id uuid PRIMARY KEY,
        email text NOT NULL,
        password_hash text,
        brand text NOT NULL,
        country text,
        roles text[] NOT NULL,
        status text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT users_email_key UNIQUE (email)
      )`);
    await q.query(`
      CREATE TABLE accounts.refresh_tokens (
        token_hash text PRIMARY KEY,
        user_id uuid NOT NULL REFERENCES accounts.users (id) ON DELETE CASCADE,
        family_id uuid NOT NULL,
        expires_at timestamptz NOT NULL,
        rotated_at timestamptz,
        revoked_at timestamptz,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX refresh_tokens_family_idx ON accounts.refresh_tokens (family_id)`);
    await q.query(`
      CREATE TABLE accounts.signing_keys (
        kid text PRIMARY KEY,
        private_pem text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    for (const table of ['signing_keys', 'refresh_tokens', 'users', 'inbox', 'outbox']) {
      await q.query(`DROP TABLE accounts.${table}`);
    }
  }
}
