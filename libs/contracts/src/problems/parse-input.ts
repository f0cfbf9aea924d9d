import type { z } from 'zod';
import { ProblemError } from './problem';

/** Parses input with a schema, or throws a 400 problem naming each bad field. */
export function parseInput<T>(schema: z.ZodType<T>, value: unknown): T {
  const result = schema.safeParse(value ?? {});
  if (result.success) {
    return result.data;
  }
  const errors = result.error.issues.map((i) => ({
    field: i.path.join('.') || '(body)',
    message: i.message,
  }));
  throw ProblemError.badRequest(errors.map((e) => `${e.field}: ${e.message}`).join('; '), {
    errors,
  });
}
