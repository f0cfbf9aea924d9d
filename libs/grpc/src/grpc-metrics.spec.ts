import {
  credentials,
  makeGenericClientConstructor,
  Server,
  ServerCredentials,
  status,
  type ServiceDefinition,
  type ServiceError,
} from '@grpc/grpc-js';
import { Registry } from 'prom-client';
import { requestMetricNames } from '@fluxnote/telemetry';
import { metricValue } from '@fluxnote/testing';
import { grpcServerMetrics } from './grpc-metrics';

const json = {
  serialize: (value: unknown): Buffer => Buffer.from(JSON.stringify(value)),
  deserialize: (bytes: Buffer): unknown => JSON.parse(bytes.toString()) as unknown,
};
const method = (path: string, responseStream: boolean) => ({
  path,
  requestStream: false,
  responseStream,
  requestSerialize: json.serialize,
  requestDeserialize: json.deserialize,
  responseSerialize: json.serialize,
  responseDeserialize: json.deserialize,
});
const echo: ServiceDefinition = {
  Say: method('/test.v1.Echo/Say', false),
  Listen: method('/test.v1.Echo/Listen', true),
};

interface EchoClient {
  Say(request: { text: string }, done: (error: ServiceError | null) => void): void;
  Listen(request: object): {
    on(event: string, listener: (e: unknown) => void): void;
    cancel(): void;
  };
  close(): void;
}

describe('gRPC server metrics', () => {
  const registry = new Registry();
  let server: Server;
  let client: EchoClient;

  beforeAll(async () => {
    server = new Server({ interceptors: [grpcServerMetrics(registry)] });
    server.addService(echo, {
      Say: (
        call: { request: { text: string } },
        done: (e: { code: number; details: string } | null, v?: unknown) => void,
      ) =>
        call.request.text === ''
          ? done({ code: status.INVALID_ARGUMENT, details: 'say something' })
          : done(null, { text: call.request.text }),
      // Streams until the caller hangs up.
      Listen: (call: { write(v: unknown): void }) => call.write({ text: 'hello' }),
    });
    const port = await new Promise<number>((resolve, reject) =>
      server.bindAsync('127.0.0.1:0', ServerCredentials.createInsecure(), (e, p) =>
        e ? reject(e) : resolve(p),
      ),
    );
    const Client = makeGenericClientConstructor(echo, 'Echo');
    client = new Client(`127.0.0.1:${port}`, credentials.createInsecure()) as unknown as EchoClient;
  });

  afterAll(() => {
    client.close();
    server.forceShutdown();
  });

  const say = (text: string): Promise<ServiceError | null> =>
    new Promise((resolve) => client.Say({ text }, resolve));

  const count = (labels: Record<string, string>): Promise<number> =>
    metricValue(registry, requestMetricNames.grpc, labels, '_count');

  it('times each call by service, method, kind and status code, a cancelled stream too', async () => {
    expect(await say('hi')).toBeNull();
    expect(await say('again')).toBeNull();
    expect((await say(''))?.code).toBe(status.INVALID_ARGUMENT);
    const stream = client.Listen({});
    await new Promise((resolve) => stream.on('data', resolve));
    stream.on('error', () => undefined);
    stream.cancel();

    const unary = { grpc_service: 'test.v1.Echo', grpc_method: 'Say', grpc_type: 'unary' };
    expect(await count({ ...unary, grpc_code: 'OK' })).toBe(2);
    expect(await count({ ...unary, grpc_code: 'INVALID_ARGUMENT' })).toBe(1);
    // The server learns of the cancel a moment later.
    for (let i = 0; i < 50 && (await count({ grpc_method: 'Listen' })) === 0; i++) {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    expect(
      await count({ grpc_method: 'Listen', grpc_type: 'server_stream', grpc_code: 'CANCELLED' }),
    ).toBe(1);
  });
});
