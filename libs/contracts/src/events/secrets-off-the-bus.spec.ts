import type { z } from 'zod';
import './index';
import { sealedSecret } from './sealed-secret';
import { definedEvents } from './event-definition';

/**
 * No event carries a credential that anyone on the bus could use: a field whose name says it is a
 * code, token, secret, password or key must be a `sealedSecret` (ciphertext only notifications
 * opens), and named `sealed…` so no consumer mistakes it for the thing itself.
 */
const credentialName =
  /code|token|secret|password|passwd|otp|pin\b|apikey|api_key|credential|private/i;

const definitions = definedEvents();

interface Field {
  path: string;
  name: string;
  schema: z.ZodType;
}

/** Every named field of a schema, through optionals, nullables, arrays, unions and records. */
function fieldsOf(schema: z.ZodType, path = ''): Field[] {
  const def = (schema as unknown as { _zod: { def: Record<string, unknown> & { type: string } } })
    ._zod.def;
  switch (def.type) {
    case 'object':
      return Object.entries(def['shape'] as Record<string, z.ZodType>).flatMap(([name, inner]) => [
        { path: `${path}.${name}`, name, schema: inner },
        ...fieldsOf(inner, `${path}.${name}`),
      ]);
    case 'optional':
    case 'nullable':
    case 'default':
    case 'readonly':
      return fieldsOf(def['innerType'] as z.ZodType, path);
    case 'array':
      return fieldsOf(def['element'] as z.ZodType, `${path}[]`);
    case 'union':
      return (def['options'] as z.ZodType[]).flatMap((option) => fieldsOf(option, path));
    case 'record':
      return fieldsOf(def['valueType'] as z.ZodType, `${path}{}`);
    default:
      return [];
  }
}

describe('secrets off the bus: every event type', () => {
  it('finds the event types to check', () => {
    expect(definitions.length).toBeGreaterThanOrEqual(32);
  });

  it.each(definitions.map((d) => [d.type, d] as const))(
    '%s carries no credential in clear',
    (_type, definition) => {
      const fields = fieldsOf(definition.schema);
      const clear = fields.filter(
        (f) =>
          credentialName.test(f.name) &&
          !(f.name.startsWith('sealed') && f.schema === sealedSecret),
      );
      expect(clear.map((f) => f.path)).toEqual([]);
      const misnamed = fields.filter(
        (f) => f.name.startsWith('sealed') !== (f.schema === sealedSecret),
      );
      expect(misnamed.map((f) => f.path)).toEqual([]);
    },
  );

  it('carries the three one-time secrets sealed, as notifications expects them', () => {
    const sealed = definitions.flatMap((d) =>
      fieldsOf(d.schema)
        .filter((f) => f.schema === sealedSecret)
        .map((f) => `${d.type}${f.path}`),
    );
    expect(sealed.sort()).toEqual([
      'accounts.login.challenged.v2.sealedCode',
      'accounts.login.throttled.v2.sealedUnlockToken',
      'accounts.password.reset_requested.v2.sealedResetToken',
    ]);
  });
});
