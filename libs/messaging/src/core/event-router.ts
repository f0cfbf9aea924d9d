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
import { handleOnce, inboxStatements } from './inbox';
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
    const item = this.route(envelope);
    if (!item) {
      return;
    }
    await this.traced(envelope, () =>
      handleOnce(this.dataSource, this.schema, this.group, envelope.id, (manager) =>
        item.handle(item.payload, { manager, envelope }),
      ),
    );
  };

  /**
   * Delivers a run (of one partition, or several partitions' runs one after another, each in
   * order) in a single transaction: the inbox rows are written together and the handlers run
   * in order. Any failure rolls the whole run back; the transport then delivers it one by one,
   * so retries and dead letters stay per event.
   */
  readonly deliverBatch = async (envelopes: EventEnvelope[]): Promise<void> => {
    const items = envelopes.flatMap((envelope) => {
      const item = this.route(envelope);
      return item ? [{ envelope, ...item }] : [];
    });
    if (items.length === 0) {
      return;
    }
    await this.dataSource.transaction(async (manager) => {
      const inserted = await inboxStatements(this.schema).recordMany.run(manager, [
        this.group,
        items.map((i) => i.envelope.id),
      ]);
      const fresh = new Set(inserted.map((r) => r.event_id));
      for (const item of items) {
        // delete: an id repeated inside the run is handled once
        if (fresh.delete(item.envelope.id)) {
          await this.traced(item.envelope, () =>
            item.handle(item.payload, { manager, envelope: item.envelope }),
          );
        }
      }
    });
  };

  /** The handler of an event and its validated payload; undefined for types this group ignores. */
  private route(envelope: EventEnvelope): { handle: AnyHandler; payload: unknown } | undefined {
    const route = this.handlers.get(envelope.type);
    if (!route) {
      return undefined;
    }
    const parsed = route.definition.schema.safeParse(envelope.data);
    if (!parsed.success) {
      throw new PoisonMessageError(`${envelope.type} ${envelope.id}: ${parsed.error.message}`);
    }
    return { handle: route.handle, payload: parsed.data };
  }

  /** Runs `work` in a consumer span whose parent is the trace the event was written in. */
  private traced(envelope: EventEnvelope, work: () => Promise<unknown>): Promise<void> {
    const parent = propagation.extract(ROOT_CONTEXT, {
      ...(envelope.traceparent ? { traceparent: envelope.traceparent } : {}),
      ...(envelope.tracestate ? { tracestate: envelope.tracestate } : {}),
    });
    return context.with(parent, () =>
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
            await work();
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
  }
}
