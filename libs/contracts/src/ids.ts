import { z } from 'zod';
import { ProblemError } from './problems/problem';

const uuid = z.string().uuid();

/** Whether a value is a UUID, as every id in the platform is (check before it reaches a uuid column). */
export function isUuid(value: string): boolean {
  return uuid.safeParse(value).success;
}

/** The value, if it is a UUID; otherwise a 400 problem naming the field. */
export function requireUuid(value: string, name: string): string {
  if (!isUuid(value)) {
    throw ProblemError.badRequest(`${name} must be a UUID.`);
  }
  return value;
}
