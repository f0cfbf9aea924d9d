import { Injectable, type PipeTransform } from '@nestjs/common';
import { ProblemError } from '@fluxnote/contracts';

/** Where in `value` a string holds a NUL character, or null (Buffers — raw uploads — are bytes). */
function nulAt(value: unknown, path: string, depth = 0): string | null {
  if (typeof value === 'string') {
    return value.includes('\u0000') ? path : null;
  }
  if (depth > 32 || value === null || typeof value !== 'object' || Buffer.isBuffer(value)) {
    return null;
  }
  for (const [key, item] of Object.entries(value)) {
    const found = nulAt(key, path, depth + 1) ?? nulAt(item, `${path}.${key}`, depth + 1);
    if (found) {
      return found;
    }
  }
  return null;
}

/**
 * No text the API takes may hold a NUL character (Postgres cannot store one, and no prompt,
 * name or message needs one): a body, path or query value with one is refused as invalid input
 * (400) before it reaches a service.
 */
@Injectable()
export class RefuseNulPipe implements PipeTransform {
  transform(value: unknown, metadata: { type: string; data?: string }): unknown {
    const where = nulAt(value, metadata.data ?? metadata.type);
    if (where) {
      throw ProblemError.badRequest(`Text may not contain a NUL character (${where}).`, {
        field: where,
      });
    }
    return value;
  }
}
