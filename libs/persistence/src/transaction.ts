import type { DataSource, EntityManager } from 'typeorm';

/**
 * What a repository reads and writes through: the pool (each statement on its own) or the
 * manager of a transaction its caller opened.
 */
export type Sql = DataSource | EntityManager;

/** Runs `work` in one transaction; commits when it resolves, rolls back when it throws. */
export function inTransaction<T>(
  dataSource: DataSource,
  work: (manager: EntityManager) => Promise<T>,
): Promise<T> {
  return dataSource.transaction(work);
}

/** True when a query failed on a unique constraint (Postgres SQLSTATE 23505). */
export function isUniqueViolation(error: unknown, constraint?: string): boolean {
  return violates(error, '23505', constraint);
}

/** True when a query failed on a foreign key (Postgres SQLSTATE 23503): the row it names is gone. */
export function isForeignKeyViolation(error: unknown, constraint?: string): boolean {
  return violates(error, '23503', constraint);
}

function violates(error: unknown, sqlState: string, constraint: string | undefined): boolean {
  const e = error as {
    code?: string;
    driverError?: { code?: string; constraint?: string };
    constraint?: string;
  };
  const code = e.driverError?.code ?? e.code;
  const name = e.driverError?.constraint ?? e.constraint;
  return code === sqlState && (constraint === undefined || name === constraint);
}
