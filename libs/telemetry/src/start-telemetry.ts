import { NodeSDK } from '@opentelemetry/sdk-node';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { HttpInstrumentation } from '@opentelemetry/instrumentation-http';
import { ExpressInstrumentation } from '@opentelemetry/instrumentation-express';
import { GrpcInstrumentation } from '@opentelemetry/instrumentation-grpc';
import { PgInstrumentation } from '@opentelemetry/instrumentation-pg';
import { resourceFromAttributes } from '@opentelemetry/resources';
import {
  AlwaysOffSampler,
  BatchSpanProcessor,
  NoopSpanProcessor,
  SimpleSpanProcessor,
  InMemorySpanExporter,
  type SpanProcessor,
} from '@opentelemetry/sdk-trace-base';

let sdk: NodeSDK | undefined;
let memoryExporter: InMemorySpanExporter | undefined;

/**
 * Starts OpenTelemetry before anything else loads, so HTTP, gRPC, Express and pg
 * are instrumented. Spans go to OTLP when `OTEL_EXPORTER_OTLP_ENDPOINT` is set;
 * `OTEL_TRACES_EXPORTER=memory` keeps them in memory (tests). With neither, nothing would
 * ever export a span, so none is recorded, but trace ids are still made, carried across HTTP,
 * gRPC and events, and written in every log line (without a tracer the SDK would make none).
 */
export function startTelemetry(serviceName: string): void {
  if (sdk || process.env['OTEL_SDK_DISABLED'] === 'true') {
    return;
  }
  const processors: SpanProcessor[] = [];
  if (process.env['OTEL_TRACES_EXPORTER'] === 'memory') {
    memoryExporter = new InMemorySpanExporter();
    processors.push(new SimpleSpanProcessor(memoryExporter));
  } else if (process.env['OTEL_EXPORTER_OTLP_ENDPOINT']) {
    processors.push(new BatchSpanProcessor(new OTLPTraceExporter()));
  }
  sdk = new NodeSDK({
    resource: resourceFromAttributes({ 'service.name': `fluxnote-${serviceName}` }),
    ...(processors.length > 0
      ? { spanProcessors: processors }
      : { spanProcessors: [new NoopSpanProcessor()], sampler: new AlwaysOffSampler() }),
    // Metrics are served by /metrics (Prometheus); logs go to stdout as JSON.
    metricReaders: [],
    logRecordProcessors: [],
    instrumentations: [
      new HttpInstrumentation({
        ignoreIncomingRequestHook: (req) => /^\/(healthz|readyz|metrics)/.test(req.url ?? ''),
      }),
      new ExpressInstrumentation(),
      new GrpcInstrumentation(),
      new PgInstrumentation({ requireParentSpan: true }),
    ],
  });
  sdk.start();
}

export function memorySpanExporter(): InMemorySpanExporter | undefined {
  return memoryExporter;
}

export async function stopTelemetry(): Promise<void> {
  await sdk?.shutdown().catch(() => undefined);
  sdk = undefined;
}
