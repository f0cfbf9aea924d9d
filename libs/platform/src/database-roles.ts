/**
 * Two database roles per service, as the chart sets them up: the migration Job's role owns the
 * schema and changes its shape; the running service's role only reads and writes rows, so a
 * compromised or buggy service can't drop, alter or create a table.
 */

/** A role name the grants may name (quoted, but kept plain so it can't smuggle SQL). */
export const databaseRolePattern = /^[a-z_][a-z0-9_]{0,62}$/;

/**
 * What the owner grants the running service's role after every migration run: use of the schema,
 * rows of every table (now and, through default privileges, any later one), and the sequences
 * behind serial columns. Nothing that changes the schema.
 */
export function rowAccessGrants(schema: string, role: string): string[] {
  if (!databaseRolePattern.test(role)) {
    throw new Error(`DATABASE_APP_ROLE: "${role}" is not a plain role name`);
  }
  const s = `"${schema}"`;
  const r = `"${role}"`;
  return [
    `REVOKE CREATE ON SCHEMA ${s} FROM ${r}`,
    `GRANT USAGE ON SCHEMA ${s} TO ${r}`,
    `GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA ${s} TO ${r}`,
    `GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA ${s} TO ${r}`,
    `ALTER DEFAULT PRIVILEGES IN SCHEMA ${s} GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO ${r}`,
    `ALTER DEFAULT PRIVILEGES IN SCHEMA ${s} GRANT USAGE, SELECT ON SEQUENCES TO ${r}`,
  ];
}
