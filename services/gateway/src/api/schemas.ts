import { z } from 'zod';

/**
 * The named schemas of the public API: each becomes `#/components/schemas/<id>` in the OpenAPI
 * document and a named type in the SDK. Request bodies are read as input (defaults optional),
 * responses as output (every field the gateway sends, nothing else).
 */
export const namedRequests = new Map<z.ZodType, string>();
export const namedResponses = new Map<z.ZodType, string>();

/** A request schema under its name in the document. */
export function requestSchema<T extends z.ZodType>(id: string, schema: T): T {
  namedRequests.set(schema, id);
  return schema;
}

/** A response schema under its name in the document. */
export function responseSchema<T extends z.ZodType>(id: string, schema: T): T {
  namedResponses.set(schema, id);
  return schema;
}

/** A time as the API sends it: ISO 8601 with its offset, from the platform clock. */
export const timestamp = z.iso.datetime({ offset: true });

export const uuid = z.string().uuid();

/** Money in minor units (cents, paise) of its currency. */
export const money = responseSchema(
  'Money',
  z.object({ amount: z.number().int(), currency: z.string() }),
);

/** A list that is not paged: everything there is (or the newest `limit`). */
export function list<T extends z.ZodType>(item: T) {
  return z.object({ items: z.array(item) });
}

/** One page of a collection; `nextCursor` (null on the last page) asks for the next. */
export function page<T extends z.ZodType>(item: T) {
  return z.object({ items: z.array(item), nextCursor: z.string().nullable() });
}

/** `limit` and `cursor` of a paged collection. */
export const pageQuery = z.object({
  limit: z.coerce.number().int().min(1).max(100).default(20),
  cursor: z.string().max(500).optional(),
});

/** RFC 9457 problem details, the shape of every error. */
export const problem = responseSchema(
  'Problem',
  z
    .looseObject({
      type: z.string().regex(/^https:\/\/fluxnote\.dev\/problems\/[a-z0-9-]+$/),
      title: z.string(),
      status: z.number().int().min(400).max(599),
      detail: z.string(),
      instance: z.string(),
      errors: z
        .array(z.looseObject({ field: z.string(), message: z.string() }))
        .optional()
        .meta({ description: 'For `invalid-request`: each bad field and what is wrong with it.' }),
      retryAfter: z.number().int().optional().meta({ description: 'Seconds, as in Retry-After.' }),
    })
    .meta({ description: 'An error (RFC 9457), as `application/problem+json`.' }),
);
