import { z } from 'zod';

const uuid = z.string().uuid();

/** Whether a value is a UUID, as every id in the platform is (check before it reaches a uuid column). */
export function isUuid(value: string): boolean {
  return uuid.safeParse(value).success;
}
