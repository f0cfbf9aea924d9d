/**
 * Dead letters: messages a consumer group gave up on (after its retries, or at once when they
 * can never be handled). Both transports keep them with the error, and an operator lists,
 * inspects, replays (to the original topic, with the same event id, so consumers that handled
 * it already drop it through their inbox) or discards them. A replayed or discarded dead letter
 * is marked, not erased: `list --all` shows what was done and when.
 */
export interface DeadLetter {
  /** Opaque; what `show`, `replay` and `discard` take. */
  id: string;
  /** The topic the message came from and goes back to on replay. */
  topic: string;
  group: string;
  partition: number;
  offset: string;
  key: string;
  /** The message as it was published (an envelope, unless it was malformed). */
  payload: string;
  eventId: string | undefined;
  eventType: string | undefined;
  error: string;
  attempts: number;
  deadAt: Date;
  resolution?: { action: DeadLetterAction; at: Date };
}

export type DeadLetterAction = 'replayed' | 'discarded';

export interface DeadLetterFilter {
  topic?: string;
  group?: string;
  /** Include those already replayed or discarded. */
  resolved?: boolean;
}

export class DeadLetterNotFoundError extends Error {
  override readonly name = 'DeadLetterNotFoundError';
  constructor(readonly id: string) {
    super(`no dead letter ${id}`);
  }
}

export class DeadLetterResolvedError extends Error {
  override readonly name = 'DeadLetterResolvedError';
  constructor(
    readonly id: string,
    readonly resolution: NonNullable<DeadLetter['resolution']>,
  ) {
    super(`dead letter ${id} was already ${resolution.action} at ${resolution.at.toISOString()}`);
  }
}

/** Where a transport keeps its dead letters. */
export interface DeadLetterStore {
  list(filter: DeadLetterFilter): Promise<DeadLetter[]>;
  /** One dead letter, resolved or not; DeadLetterNotFoundError when there is none. */
  get(id: string): Promise<DeadLetter>;
  /** Publishes it again to its topic and marks it replayed; DeadLetterResolvedError if done before. */
  replay(id: string): Promise<DeadLetter>;
  /** Marks it discarded; DeadLetterResolvedError if done before. */
  discard(id: string): Promise<DeadLetter>;
  close(): Promise<void>;
}

/** The event id and type of a payload, when it is a JSON envelope. */
export function envelopeFields(payload: string): Pick<DeadLetter, 'eventId' | 'eventType'> {
  try {
    const parsed = JSON.parse(payload) as { id?: unknown; type?: unknown } | null;
    return {
      eventId: typeof parsed?.id === 'string' ? parsed.id : undefined,
      eventType: typeof parsed?.type === 'string' ? parsed.type : undefined,
    };
  } catch {
    return { eventId: undefined, eventType: undefined };
  }
}
