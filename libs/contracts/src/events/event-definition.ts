import { z } from 'zod';

/** One versioned event type: its name, the topic of the service that produces it, and its payload schema. */
export interface EventDefinition<S extends z.ZodType = z.ZodType> {
  readonly type: string;
  readonly topic: string;
  readonly schema: S;
}

export type EventPayload<D extends EventDefinition> = z.infer<D['schema']>;

const defined: EventDefinition[] = [];

export function defineEvent<S extends z.ZodType>(
  type: string,
  topic: string,
  schema: S,
): EventDefinition<S> {
  if (!/^[a-z]+(\.[a-z_]+)+\.v\d+$/.test(type)) {
    throw new Error(`event type "${type}" must look like "service.entity.action.v1"`);
  }
  const definition = { type, topic, schema };
  defined.push(definition);
  return definition;
}

/** Every event type defined so far (all of the contracts' once `@fluxnote/contracts` is loaded). */
export function definedEvents(): readonly EventDefinition[] {
  return defined;
}

/** One topic per producing service. */
export const topics = {
  accounts: 'fluxnote.accounts.v1',
  billing: 'fluxnote.billing.v1',
  generation: 'fluxnote.generation.v1',
  support: 'fluxnote.support.v1',
  notifications: 'fluxnote.notifications.v1',
} as const;
