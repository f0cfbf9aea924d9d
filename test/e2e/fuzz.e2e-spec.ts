import { testTransport } from '@fluxnote/testing';
import type { Platform } from '../../tools/launcher/platform';
import { startPlatformUnderTest, testAdmin } from './platform-under-test';

jest.setTimeout(300_000);

interface Operation {
  method: string;
  path: string;
}

/** Field names the API's bodies use (API.md), each with a value that would pass on its own. */
const plausible: Record<string, unknown> = {
  email: 'fuzz-target@example.com',
  password: 'a long enough password',
  country: 'US',
  brand: 'fluxnote',
  deviceId: 'fuzz-device',
  challengeId: '00000000-0000-4000-8000-000000000000',
  code: '123456',
  idToken: 'header.payload.signature',
  token: 'fuzz-token',
  refreshToken: 'fuzz-refresh-token',
  statement: 'I did nothing wrong.',
  plan: 'pro',
  interval: 'month',
  pack: 'video-10',
  chargeId: '00000000-0000-4000-8000-000000000001',
  reason: 'it did not work',
  kind: 'other',
  model: 'wan-2.6',
  mode: 'text-to-video',
  prompt: 'a calm lake at dawn',
  durationSec: 5,
  aspectRatio: '16:9',
  options: {},
  projectId: 'fuzz-project',
  channel: 'email',
  subject: 'A question',
  body: 'How do I make a vertical video?',
  jobIds: [],
  message: 'Degraded service',
  eta: 'PT2H',
  rule: 'repeated-violations',
  evidence: [],
  roles: ['user'],
  platform: 'ios',
  type: 'reply',
  note: 'fuzz',
  name: 'fuzz',
  locale: 'en',
  categories: {},
  sample: 'AAAA',
  photo: 'AAAA',
  contentType: 'audio/wav',
  data: 'AAAA',
};

/** Values of the wrong kind, a NUL, huge, and the edges of numbers. */
const hostile: unknown[] = [
  123,
  -1,
  1e308,
  true,
  null,
  {},
  [],
  [null],
  { nested: { deeper: '\u0000' } },
  '',
  '\u0000',
  'NUL \u0000 inside',
  'x'.repeat(200_000),
  'not-a-uuid',
  '../../etc/passwd',
  '\ud800',
];

/** Path parameter values that are not ids of anything the caller has. */
const hostileIds = [
  'not-a-uuid',
  '00000000-0000-4000-8000-000000000000',
  'x'.repeat(5_000),
  '%00',
  "1'; DROP TABLE x;--",
  '%F0%9F%98%80',
];

/** A file of `size` bytes that starts with `head`: a sample or photo as far as its bytes tell. */
function file(head: string | readonly number[], size = 2048): Buffer {
  const start = typeof head === 'string' ? Buffer.from(head, 'latin1') : Buffer.from(head);
  return Buffer.concat([start, Buffer.alloc(Math.max(size - start.length, 0), 7)]);
}

/** Raw bodies for the routes that take bytes (uploads, inbound mail), with hostile names. */
const rawCases: { method: string; path: string; type: string; body: Buffer }[] = [];
for (const [path, type, head] of [
  ['/v1/voice-clones', 'audio/wav', 'RIFF\x24\x08\x00\x00WAVEfmt '],
  ['/v1/face-identities', 'image/png', [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]],
] as const) {
  for (const name of ['ok', '%00', 'a%00b', 'x'.repeat(5_000), '', '%FF%FE']) {
    for (const body of [file(head), file(head, 10), Buffer.alloc(0), file('garbage')]) {
      rawCases.push({ method: 'POST', path: `${path}?name=${name}`, type, body });
    }
    rawCases.push({
      method: 'POST',
      path: `${path}?name=${name}`,
      type: 'audio/ogg',
      body: file(head),
    });
  }
}
for (const body of ['', 'not a message', 'From: a@b\r\n\r\n\u0000', 'x'.repeat(100_000)]) {
  rawCases.push({
    method: 'POST',
    path: '/v1/support/inbound-email',
    type: 'message/rfc822',
    body: Buffer.from(body),
  });
}

/** The cases for one operation: bodies of every wrong shape, and each field made hostile in turn. */
function bodiesFor(operation: Operation): unknown[] {
  if (operation.method === 'GET' || operation.method === 'DELETE') {
    return [undefined];
  }
  const bodies: unknown[] = [undefined, {}, [], 'text', 42, null];
  for (const value of hostile) {
    bodies.push(Object.fromEntries(Object.keys(plausible).map((field) => [field, value])));
  }
  for (const field of Object.keys(plausible)) {
    for (const value of ['\u0000', 7]) {
      bodies.push({ ...plausible, [field]: value });
    }
  }
  return bodies;
}

/**
 * Every operation of the OpenAPI document, called with bad ids, bodies of the wrong types,
 * missing and unknown fields, NUL characters and huge strings: each answer must be the caller's
 * error (4xx problem+json), never the platform's (5xx). Requests are bounded and go to loopback.
 */
describe(`fuzzing every operation (${testTransport().name})`, () => {
  let platform: Platform;
  let stopPlatform: () => Promise<void>;
  let userToken: string;
  let adminToken: string;

  beforeAll(async () => {
    ({ platform, stop: stopPlatform } = await startPlatformUnderTest('fuzz', {
      LOG_LEVEL: 'error',
    }));
    const signup = await post('/v1/auth/signup', {
      email: 'fuzzer@example.com',
      password: 'a long enough password',
    });
    userToken = ((await signup.json()) as { accessToken: string }).accessToken;
    const login = await post('/v1/auth/login', testAdmin);
    adminToken = ((await login.json()) as { accessToken: string }).accessToken;
  });

  afterAll(async () => {
    await stopPlatform?.();
  });

  function post(path: string, body: unknown): Promise<Response> {
    return fetch(`${platform.gatewayUrl}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
  }

  async function call(
    operation: Operation,
    path: string,
    body: unknown,
  ): Promise<{ status: number; text: string }> {
    const staff = /^\/v1\/(admin|agent)\//.test(operation.path);
    const response = await fetch(`${platform.gatewayUrl}${path}`, {
      method: operation.method,
      headers: {
        authorization: `Bearer ${staff ? adminToken : userToken}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(15_000),
    });
    if ((response.headers.get('content-type') ?? '').startsWith('text/event-stream')) {
      await response.body?.cancel();
      return { status: response.status, text: '(stream)' };
    }
    return { status: response.status, text: await response.text() };
  }

  it('answers no request with a 5xx', async () => {
    const document = (await (await fetch(`${platform.gatewayUrl}/docs/openapi.json`)).json()) as {
      paths: Record<string, Record<string, unknown>>;
    };
    const cases: { operation: Operation; path: string; body: unknown }[] = [];
    for (const [path, methods] of Object.entries(document.paths)) {
      for (const method of Object.keys(methods).map((m) => m.toUpperCase())) {
        const operation = { method, path };
        // Deleting the fuzzing account would end the run; its own suite covers it.
        if (method === 'DELETE' && path === '/v1/account') {
          continue;
        }
        const ids = /\{[^}]+\}/.test(path) ? hostileIds : [''];
        for (const id of ids) {
          const concrete = path.replace(/\{[^}]+\}/g, id);
          // A stream of one's own (no id in the path) stays open by design.
          if (concrete.endsWith('/stream') && !/\{/.test(path)) {
            continue;
          }
          for (const body of bodiesFor(operation)) {
            cases.push({ operation, path: concrete, body });
          }
        }
      }
    }
    const failures: string[] = [];
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < cases.length) {
        const { operation, path, body } = cases[next++];
        const answer = await call(operation, path, body).catch((error: unknown) => ({
          status: 599,
          text: String(error),
        }));
        if (answer.status >= 500) {
          const shown = JSON.stringify(body)?.slice(0, 120);
          failures.push(
            `${operation.method} ${path.slice(0, 80)} ${shown} → ${answer.status} ${answer.text.slice(0, 200)}`,
          );
        }
      }
    };
    await Promise.all(Array.from({ length: 6 }, worker));
    for (const raw of rawCases) {
      const response = await fetch(`${platform.gatewayUrl}${raw.path}`, {
        method: raw.method,
        headers: { authorization: `Bearer ${userToken}`, 'content-type': raw.type },
        body: raw.body,
      });
      const text = await response.text();
      if (response.status >= 500) {
        failures.push(
          `${raw.method} ${raw.path.slice(0, 80)} (${raw.type}) → ${response.status} ${text.slice(0, 200)}`,
        );
      }
    }
    expect(cases.length).toBeGreaterThan(1_000);
    expect(failures).toEqual([]);
  });
});
