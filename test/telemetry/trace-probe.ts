// One request through the platform's own plumbing, in one process with an in-memory span
// exporter: HTTP server → gRPC client → gRPC server → outbox → relay → embedded bus → consumer.
// Prints the finished spans as JSON lines. env: PROBE_DATABASE_URL
import './probe-instrument';
import {
  loadPackageDefinition,
  Server,
  ServerCredentials,
  type ServiceDefinition,
} from '@grpc/grpc-js';
import { loadSync } from '@grpc/proto-loader';
import { createServer } from 'node:http';
import { join } from 'node:path';
import type { MigrationInterface, QueryRunner } from 'typeorm';
import { billingV1, userRegisteredV1 } from '@fluxnote/contracts';
import { createGrpcClient, protoLoaderOptions, protoRoot } from '@fluxnote/grpc';
import {
  EventRouter,
  messagingTablesSql,
  Outbox,
  OutboxRelay,
  PgEventBus,
} from '@fluxnote/messaging';
import { openServiceDatabase } from '@fluxnote/persistence';
import { memorySpanExporter } from '@fluxnote/telemetry';

class ProbeTables1700000000001 implements MigrationInterface {
  name = 'ProbeTables1700000000001';
  async up(q: QueryRunner): Promise<void> {
    for (const sql of messagingTablesSql('probe')) {
      await q.query(sql);
    }
  }
  async down(): Promise<void> {}
}

async function main(): Promise<void> {
  const url = process.env['PROBE_DATABASE_URL']!;
  const dataSource = await openServiceDatabase({
    url,
    schema: 'probe',
    entities: [],
    migrations: [ProbeTables1700000000001],
  });
  const outbox = new Outbox('probe', 'fluxnote/probe');
  const bus = new PgEventBus({ databaseUrl: url, idlePollMs: 100 });
  const relay = new OutboxRelay({
    dataSource,
    schema: 'probe',
    transport: bus,
    idlePollMs: 100,
  });
  await relay.start();

  let handled: () => void = () => undefined;
  const consumed = new Promise<void>((resolve) => (handled = resolve));
  const router = new EventRouter('probe.consumer', dataSource, 'probe').on(userRegisteredV1, () => {
    handled();
    return Promise.resolve();
  });
  const subscription = await bus.subscribe({
    group: router.group,
    topics: router.topics,
    handle: router.deliver,
  });

  const definition = loadSync(join(protoRoot(), billingV1.protobufFileName), {
    ...protoLoaderOptions,
    includeDirs: [protoRoot()],
  });
  const pkg = loadPackageDefinition(definition) as unknown as {
    fluxnote: { billing: { v1: { LedgerService: { service: ServiceDefinition } } } };
  };
  const server = new Server();
  server.addService(pkg.fluxnote.billing.v1.LedgerService.service, {
    reserve: (
      call: { request: billingV1.ReserveRequest },
      callback: (e: null, r: billingV1.Reservation) => void,
    ) => {
      void dataSource
        .transaction((manager) =>
          outbox.add(manager, userRegisteredV1, call.request.userId, {
            userId: call.request.userId,
            brand: 'fluxnote',
            country: null,
            plan: 'free',
          }),
        )
        .then(() =>
          callback(null, {
            key: call.request.key,
            userId: call.request.userId,
            status: 'pending',
            expiresAt: '',
            priorityLane: false,
          }),
        );
    },
  });
  const grpcPort = await new Promise<number>((resolve, reject) =>
    server.bindAsync('127.0.0.1:0', ServerCredentials.createInsecure(), (e, port) =>
      e ? reject(e) : resolve(port),
    ),
  );
  const client = createGrpcClient<billingV1.LedgerServiceClient>(
    {
      package: billingV1.protobufPackage,
      file: billingV1.protobufFileName,
      service: billingV1.LEDGER_SERVICE_NAME,
    },
    `127.0.0.1:${grpcPort}`,
    { deadlineMs: 5000 },
  );

  const http = createServer((_req, res) => {
    void client.client
      .reserve({
        key: 'probe',
        userId: '00000000-0000-4000-8000-000000000001',
        credits: { video: 1, image: 0 },
        ttlSeconds: 0,
      })
      .then(() => res.end('ok'));
  });
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  const address = http.address() as { port: number };

  await fetch(`http://127.0.0.1:${address.port}/go`, { method: 'POST' });
  await consumed;
  await new Promise((r) => setTimeout(r, 200)); // let the consumer span end

  for (const span of memorySpanExporter()!.getFinishedSpans()) {
    process.stdout.write(
      `${JSON.stringify({
        name: span.name,
        kind: span.kind,
        traceId: span.spanContext().traceId,
        spanId: span.spanContext().spanId,
        parentSpanId: span.parentSpanContext?.spanId,
      })}\n`,
    );
  }
  await subscription.stop();
  await relay.stop();
  await bus.close();
  client.close();
  server.forceShutdown();
  http.close();
  await dataSource.destroy();
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(`trace probe: ${String(error)}\n`);
    process.exit(1);
  },
);
