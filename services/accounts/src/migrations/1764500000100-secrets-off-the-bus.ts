import type { MigrationInterface, QueryRunner } from 'typeorm';

/** The v1 events that carried a credential in clear, and the field that carried it. */
const clearSecrets: readonly [type: string, field: string][] = [
  ['accounts.login.challenged.v1', 'code'],
  ['accounts.login.throttled.v1', 'unlockToken'],
  ['accounts.password.reset_requested.v1', 'resetToken'],
];

/**
 * Log-in codes and one-time link tokens used to travel in clear in v1 events (now v2, sealed for
 * notifications). What is already out there is made worthless and wiped where it can be:
 * - every code and link issued before this migration expires now, so a copy read off the bus (or
 *   off Kafka, whose retention this can't rewrite) opens nothing; the owner asks for a new one;
 * - the clear field is removed from the outbox, and from the embedded bus's events and dead
 *   letters when this database holds them.
 */
export class SecretsOffTheBus1764500000100 implements MigrationInterface {
  name = 'SecretsOffTheBus1764500000100';

  async up(q: QueryRunner): Promise<void> {
    await q.query(
      `UPDATE accounts.action_tokens SET expires_at = created_at
        WHERE used_at IS NULL AND expires_at > created_at`,
    );
    await q.query(
      `UPDATE accounts.login_challenges SET expires_at = created_at
        WHERE completed_at IS NULL AND expires_at > created_at`,
    );
    const tables = ['accounts.outbox'];
    for (const table of ['bus.events', 'bus.dead_letters']) {
      const [row] = (await q.query(
        `SELECT to_regclass($1) IS NOT NULL AND has_table_privilege(to_regclass($1), 'UPDATE') AS writable`,
        [table],
      )) as { writable: boolean }[];
      if (row?.writable) {
        tables.push(table);
      }
    }
    for (const table of tables) {
      for (const [type, field] of clearSecrets) {
        await q.query(
          `UPDATE ${table} SET envelope = envelope #- ARRAY['data', $2::text]
            WHERE envelope->>'type' = $1 AND envelope->'data' ? $2`,
          [type, field],
        );
      }
    }
  }

  async down(): Promise<void> {
    // A wiped secret can't come back, and expired links stay expired.
  }
}
