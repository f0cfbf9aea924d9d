import { setTimeout as sleep } from 'node:timers/promises';
import { expectEventually, testTransport } from '@fluxnote/testing';
import type { Platform } from '../../tools/launcher/platform';
import { startPlatformUnderTest } from './platform-under-test';

jest.setTimeout(180_000);

const graceMs = 15_000;
/** How long callers go on sending after SIGTERM: the time a cluster takes to stop routing to a pod. */
const routingLagMs = 1_000;
const password = 'a long enough password';
const job = { model: 'flux-kontext-pro', mode: 'text-to-image', prompt: 'a lighthouse at dusk' };

interface Outcome {
  what: string;
  status?: number;
  /** The problem type of an answer that was not a success. */
  problem?: string;
  /** The error code when no answer came (ECONNREFUSED, ECONNRESET, UND_ERR_SOCKET, …). */
  error?: string;
}

/**
 * A stop under load, as a rolling update does it: SIGTERM arrives while every client has a
 * request on its way, and the clients go on sending on their kept-alive connections for a moment
 * (the cluster has not stopped routing to the pod yet). Every request the process had taken gets
 * its whole answer; from then on it takes no new work, in a way a caller can safely retry
 * elsewhere (a connection refused before anything was sent, or a 503 problem with Retry-After),
 * never a cut, a hang or a 500. It ends its streams, and exits 0 well within its grace period:
 * the gateway, and a service behind it with gRPC calls in flight.
 */
describe(`draining on SIGTERM (${testTransport().name})`, () => {
  let platform: Platform;
  let stop: () => Promise<void>;
  let gateway: string;
  let tokens: string[];

  function send(method: string, path: string, token?: string, body?: unknown): Promise<Response> {
    return fetch(`${gateway}${path}`, {
      method,
      headers: {
        ...(token ? { authorization: `Bearer ${token}` } : {}),
        ...(body ? { 'content-type': 'application/json' } : {}),
      },
      body: body ? JSON.stringify(body) : undefined,
    });
  }

  beforeAll(async () => {
    ({ platform, stop } = await startPlatformUnderTest('e2e_draining', {
      SHUTDOWN_GRACE_MS: String(graceMs),
      DOWNSTREAM_PROBE_MS: '200',
      SIMULATOR_DEFAULT_LATENCY_MS: '300',
      ARGON2_MEMORY_KIB: '8192',
      ARGON2_TIME_COST: '1',
    }));
    // straight to the gateway (not through the suite's contract check), on kept-alive
    // connections as an ingress holds them
    gateway = platform.gatewayListenUrl;
    tokens = await Promise.all(
      Array.from({ length: 6 }, async (_, i) => {
        const signedUp = await send('POST', '/v1/auth/signup', undefined, {
          email: `drain${i}-${Date.now()}@example.com`,
          password,
        });
        expect(signedUp.status).toBe(201);
        const token = ((await signedUp.json()) as { accessToken: string }).accessToken;
        const bought = await send('POST', '/v1/billing/credit-packs', token, {
          pack: 'image-1000',
        });
        expect([200, 201]).toContain(bought.status);
        return token;
      }),
    );
  });

  afterAll(async () => {
    await stop?.();
  });

  /**
   * One client per user, each sending the next request (a read, then a submit) the moment the
   * last one answered, until `stop()`, which resolves when the last one has its answer.
   */
  function load(): { outcomes: Outcome[]; stop: () => Promise<void> } {
    let sending = true;
    const outcomes: Outcome[] = [];
    const client = async (token: string): Promise<void> => {
      for (let i = 0; sending; i++) {
        const [method, path, body] =
          i % 2 === 0 ? ['GET', '/v1/me', undefined] : ['POST', '/v1/generations', job];
        const what = `${method} ${path}`;
        try {
          const response = await send(method, path, token, body);
          const text = await response.text(); // the whole answer, not only its head
          outcomes.push({
            what,
            status: response.status,
            problem: response.ok ? undefined : (JSON.parse(text) as { type: string }).type,
          });
        } catch (error) {
          const cause = (error as Error & { cause?: { code?: string; message?: string } }).cause;
          outcomes.push({ what, error: cause?.code ?? cause?.message ?? String(error) });
          if (cause?.code === 'ECONNREFUSED') {
            await sleep(20); // a refused caller tries elsewhere; here, the same place shortly
          }
        }
      }
    };
    const done = Promise.all(tokens.map(client));
    return {
      outcomes,
      stop: async () => {
        sending = false;
        await done;
      },
    };
  }

  /** The outcomes, counted by kind: `GET /v1/me 200`, `POST /v1/generations ECONNREFUSED`, … */
  function tally(outcomes: Outcome[]): Record<string, number> {
    const counts: Record<string, number> = {};
    for (const o of outcomes) {
      const kind = `${o.what} ${o.status ?? o.error}${o.problem ? ` ${o.problem}` : ''}`;
      counts[kind] = (counts[kind] ?? 0) + 1;
    }
    return counts;
  }

  /** Load going (submits accepted, nothing failed), then SIGTERM to `service`, then the lag. */
  async function stopUnderLoad(
    service: 'gateway' | 'generation',
  ): Promise<{ kinds: string[]; outcomes: Outcome[]; code: number | null; tookMs: number }> {
    const traffic = load();
    try {
      await expectEventually(() => {
        expect(Object.keys(tally(traffic.outcomes))).toEqual(
          expect.arrayContaining(['GET /v1/me 200', 'POST /v1/generations 202']),
        );
        expect(tally(traffic.outcomes.filter((o) => o.status !== 200 && o.status !== 202))).toEqual(
          {},
        );
        expect(traffic.outcomes.length).toBeGreaterThan(40);
      });
    } catch (error) {
      await traffic.stop();
      throw error;
    }
    const sent = Date.now();
    const exited = platform.kill(service);
    await sleep(routingLagMs);
    await traffic.stop();
    const code = await exited;
    return {
      kinds: Object.keys(tally(traffic.outcomes)).sort(),
      outcomes: traffic.outcomes,
      code,
      tookMs: Date.now() - sent,
    };
  }

  /** It exited 0 within the grace, and every outcome the load saw is one of those allowed. */
  function expectCleanStop(stopped: Awaited<ReturnType<typeof stopUnderLoad>>, allowed: string[]) {
    expect(stopped.code).toBe(0);
    expect(stopped.tookMs).toBeLessThan(graceMs);
    expect(stopped.kinds.filter((kind) => !allowed.includes(kind))).toEqual([]);
  }

  /** Image credits held or spent across the suite's users. */
  async function imageCreditsTaken(): Promise<number> {
    const usages = await Promise.all(
      tokens.map(async (token) => {
        const response = await send('GET', '/v1/usage', token);
        expect(response.status).toBe(200);
        return ((await response.json()) as { image: { used: number; reserved: number } }).image;
      }),
    );
    return usages.reduce((sum, image) => sum + image.used + image.reserved, 0);
  }

  it('a service behind the gateway finishes the calls it took, refuses the rest, exits 0', async () => {
    const quote = await send('POST', '/v1/generations/quote', tokens[0], job);
    const { imageCredits: cost } = (await quote.json()) as { imageCredits: number };
    expect(cost).toBeGreaterThan(0);
    const takenBefore = await imageCreditsTaken();

    const stopped = await stopUnderLoad('generation');
    // Reads never needed it. Submits it had taken were answered; the ones after its drain began
    // were refused before it took them (its only pod: with more, GOAWAY moves them to the
    // others), with a 503 problem a client retries. Nothing was cut (500) or timed out (504).
    const allowed = [
      'GET /v1/me 200',
      'POST /v1/generations 202',
      'POST /v1/generations 503 https://fluxnote.dev/problems/service-unavailable',
    ];
    expectCleanStop(stopped, allowed);
    expect(stopped.kinds).toContain(
      'POST /v1/generations 503 https://fluxnote.dev/problems/service-unavailable',
    );
    // and no credit was lost or taken twice: what is held or spent is what the accepted jobs cost
    const accepted = stopped.outcomes.filter((o) => o.status === 202).length;
    expect(await imageCreditsTaken()).toBe(takenBefore + accepted * cost);

    await platform.restart('generation');
    await expectEventually(async () => {
      expect((await send('POST', '/v1/generations', tokens[0], job)).status).toBe(202);
    });
  });

  it('the gateway answers everything it took, ends its streams, refuses the rest, exits 0', async () => {
    const stream = await fetch(`${gateway}/v1/notifications/stream`, {
      headers: { authorization: `Bearer ${tokens[0]}`, accept: 'text/event-stream' },
    });
    expect(stream.status).toBe(200);
    const streamEnded = stream.text().then(
      () => 'ended',
      (error: Error) => `cut: ${error.message}`,
    );

    const stopped = await stopUnderLoad('gateway');
    // Every request on its way got its whole answer; after SIGTERM each answer closed its
    // connection, and the next request found the listener closed: refused before a byte was
    // sent, which a caller retries elsewhere. No reset, no hang-up, no 5xx.
    const allowed = [
      'GET /v1/me 200',
      'GET /v1/me ECONNREFUSED',
      'POST /v1/generations 202',
      'POST /v1/generations ECONNREFUSED',
    ];
    expectCleanStop(stopped, allowed);
    expect(stopped.kinds.some((kind) => kind.endsWith('ECONNREFUSED'))).toBe(true);
    expect(await streamEnded).toBe('ended');
    await expect(fetch(`${gateway}/healthz`)).rejects.toThrow();
  });
});
