import {
  ROOT_CONTEXT,
  SpanKind,
  SpanStatusCode,
  context,
  propagation,
  trace,
} from '@opentelemetry/api';
import type { DataSource, EntityManager } from 'typeorm';
import type { EventDefinition, EventPayload } from '@fluxnote/contracts';
import type { EventEnvelope } from './envelope';
import { handleOnce } from './inbox';
import { PoisonMessageError } from './transport';

export interface HandlerContext {
  /** The transaction the handler's writes must use; the inbox row commits with them. */
  manager: EntityManager;
  envelope: EventEnvelope;
}

type AnyHandler = (payload: unknown, ctx: HandlerContext) => Promise<void>;

/**
 * Routes deliveries of a consumer group to typed handlers. Each payload is
 * validated against its contract (an invalid one is poison: straight to the
 * dead letter) and each handler runs once per event id through the inbox.
 * Event types the group does not handle are acknowledged and skipped.
 */
export class EventRouter {
  private readonly handlers = new Map<
    string,
    { definition: EventDefinition; handle: AnyHandler }
  >();
  private readonly tracer = trace.getTracer('fluxnote-messaging');

  constructor(
    readonly group: string,
    private readonly dataSource: DataSource,
    private readonly schema: string,
  ) {}

  on<D extends EventDefinition>(
    definition: D,
    handle: (payload: EventPayload<D>, ctx: HandlerContext) => Promise<void>,
  ): this {
    this.handlers.set(definition.type, { definition, handle: handle as AnyHandler });
    return this;
  }

  get topics(): string[] {
    return [...new Set([...this.handlers.values()].map((h) => h.definition.topic))];
  }

  /** The delivery handler given to the transport. */
  readonly deliver = async (envelope: EventEnvelope): Promise<void> => {
    const route = this.handlers.get(envelope.type);
    if (!route) {
      return;
    }
    const parsed = route.definition.schema.safeParse(envelope.data);
    if (!parsed.success) {
      throw new PoisonMessageError(`${envelope.type} ${envelope.id}: ${parsed.error.message}`);
    }
    const parent = propagation.extract(ROOT_CONTEXT, {
      ...(envelope.traceparent ? { traceparent: envelope.traceparent } : {}),
      ...(envelope.tracestate ? { tracestate: envelope.tracestate } : {}),
    });
    await context.with(parent, () =>
      this.tracer.startActiveSpan(
        `${envelope.type} process`,
        {
          kind: SpanKind.CONSUMER,
          attributes: {
            'messaging.operation': 'process',
            'messaging.consumer.group.name': this.group,
            'messaging.message.id': envelope.id,
            'cloudevents.event_type': envelope.type,
          },
        },
        async (span) => {
          try {
            await handleOnce(this.dataSource, this.schema, this.group, envelope.id, (manager) =>
              route.handle(parsed.data, { manager, envelope }),
            );
          } catch (error) {
            span.recordException(error as Error);
            span.setStatus({ code: SpanStatusCode.ERROR });
            throw error;
          } finally {
            span.end();
          }
        },
      ),
    );
  };
}
