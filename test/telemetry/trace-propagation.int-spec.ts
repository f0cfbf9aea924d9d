import { SpanKind } from '@opentelemetry/api';
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { createTestDatabase, type TestDatabase } from '@fluxnote/testing';

jest.setTimeout(60_000);

interface SpanLine {
  name: string;
  kind: SpanKind;
  traceId: string;
  spanId: string;
  parentSpanId?: string;
}

/**
 * One trace follows a request through HTTP, gRPC metadata and the event envelope
 * to the consumer. Runs in a child process: inside Jest, modules load through
 * Jest's registry and the instrumentation cannot patch them.
 */
describe('trace propagation', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase('trace');
  });
  afterAll(async () => {
    await db.drop();
  });

  it('one trace crosses HTTP → gRPC → event → consumer', async () => {
    const { stdout } = await promisify(execFile)(
      process.execPath,
      ['-r', '@swc-node/register', join(__dirname, 'trace-probe.ts')],
      {
        env: { ...process.env, PROBE_DATABASE_URL: db.url, OTEL_SDK_DISABLED: 'false' },
        timeout: 45_000,
      },
    );
    const spans = stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as SpanLine);
    const httpServer = spans.find((s) => s.kind === SpanKind.SERVER && /POST/.test(s.name));
    const grpcClient = spans.find(
      (s) => s.kind === SpanKind.CLIENT && s.name.endsWith('LedgerService/Reserve'),
    );
    const grpcServer = spans.find(
      (s) => s.kind === SpanKind.SERVER && s.name.endsWith('LedgerService/Reserve'),
    );
    const consumer = spans.find(
      (s) => s.kind === SpanKind.CONSUMER && s.name === 'accounts.user.registered.v1 process',
    );
    expect({ httpServer, grpcClient, grpcServer, consumer }).toEqual({
      httpServer: expect.anything(),
      grpcClient: expect.anything(),
      grpcServer: expect.anything(),
      consumer: expect.anything(),
    });
    const traceId = httpServer!.traceId;
    expect([grpcClient!.traceId, grpcServer!.traceId, consumer!.traceId]).toEqual([
      traceId,
      traceId,
      traceId,
    ]);
    expect(grpcServer!.parentSpanId).toBe(grpcClient!.spanId);
    // The consumer's parent is a span of the same request (the one active when the event was written).
    expect(spans.filter((s) => s.traceId === traceId).map((s) => s.spanId)).toContain(
      consumer!.parentSpanId,
    );
  });

  it('with no exporter records no span, yet makes and carries trace ids for the logs (embedded mode)', async () => {
    const { stdout } = await promisify(execFile)(
      process.execPath,
      ['-r', '@swc-node/register', join(__dirname, 'unexported-probe.ts')],
      { env: { ...process.env, OTEL_SDK_DISABLED: 'false' }, timeout: 45_000 },
    );
    const seen = JSON.parse(stdout.trim()) as {
      traceparent: string | null;
      traceId: string | null;
      recording: boolean | null;
    };
    expect(seen.recording).toBe(false);
    expect(seen.traceId).toMatch(/^[0-9a-f]{32}$/);
    expect(seen.traceId).not.toBe('0'.repeat(32));
    // The caller's trace reached the server: W3C traceparent with the same trace id, unsampled.
    expect(seen.traceparent).toMatch(new RegExp(`^00-${seen.traceId}-[0-9a-f]{16}-00$`));
  });
});
