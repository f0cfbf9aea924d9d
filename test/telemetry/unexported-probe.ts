// Telemetry with no exporter configured (embedded mode): an HTTP request to an instrumented
// server. Prints what the server saw as one JSON line: the incoming traceparent, the active
// span's trace id and whether it records.
import { startTelemetry } from '@fluxnote/telemetry';

delete process.env['OTEL_EXPORTER_OTLP_ENDPOINT'];
delete process.env['OTEL_TRACES_EXPORTER'];
startTelemetry('unexported-probe');

async function main(): Promise<void> {
  // Loaded after telemetry started, so they are instrumented.
  const { createServer, request } = await import('node:http');
  const { context, trace } = await import('@opentelemetry/api');
  const server = createServer((req, res) => {
    const span = trace.getActiveSpan();
    res.end(
      JSON.stringify({
        traceparent: req.headers['traceparent'] ?? null,
        traceId: span?.spanContext().traceId ?? null,
        recording: span?.isRecording() ?? null,
      }),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  const body = await new Promise<string>((resolve, reject) => {
    // An outgoing call from inside an (unrecorded) span of this process: it carries the trace.
    const parent = trace.getTracer('probe').startSpan('caller');
    context.with(trace.setSpan(context.active(), parent), () => {
      request({ host: '127.0.0.1', port, path: '/' }, (res) => {
        let text = '';
        res.on('data', (chunk: Buffer) => (text += chunk.toString()));
        res.on('end', () => resolve(text));
      })
        .on('error', reject)
        .end();
    });
    parent.end();
  });
  server.close();
  process.stdout.write(`${body}\n`);
}

void main();
