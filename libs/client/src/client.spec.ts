import { ApiProblem, createFluxNoteClient, pages, unwrap } from './index';

type Handler = (request: Request, body: string) => Response | Promise<Response>;

/** A gateway double: records each request the client sends and answers with `handler`. */
function gateway(handler: Handler) {
  const seen: { method: string; path: string; headers: Headers; body: string }[] = [];
  const fetch = async (request: Request): Promise<Response> => {
    const body = await request.text();
    seen.push({
      method: request.method,
      path: new URL(request.url).pathname,
      headers: request.headers,
      body,
    });
    return handler(request, body);
  };
  return { seen, fetch };
}

const json = (status: number, body: unknown, headers: Record<string, string> = {}): Response =>
  new Response(JSON.stringify(body), {
    status,
    headers: {
      'content-type': status >= 400 ? 'application/problem+json' : 'application/json',
      ...headers,
    },
  });

const problem = (status: number, slug: string): Response =>
  json(status, {
    type: `https://fluxnote.dev/problems/${slug}`,
    title: slug,
    status,
    detail: `because ${slug}`,
    instance: '/x',
  });

const tokens = (n: number) => ({
  user: { id: 'u' },
  accessToken: `access-${n}`,
  refreshToken: `refresh-${n}`,
  expiresIn: 900,
});

const baseUrl = 'http://gateway.test';

describe('the FluxNote client', () => {
  it('keeps the session of a log-in and sends its token', async () => {
    const double = gateway((request) =>
      new URL(request.url).pathname === '/v1/auth/login'
        ? json(200, tokens(1))
        : json(200, { items: [] }),
    );
    const sessions: unknown[] = [];
    const client = createFluxNoteClient({
      baseUrl,
      fetch: double.fetch,
      onSession: (s) => sessions.push(s),
    });
    await client.api.POST('/v1/auth/login', { body: { email: 'a@b.c', password: 'pw' } });
    await client.api.GET('/v1/models');
    expect(double.seen[1].headers.get('authorization')).toBe('Bearer access-1');
    expect(sessions).toEqual([{ accessToken: 'access-1', refreshToken: 'refresh-1' }]);
  });

  it('refreshes once on a 401 and sends the request again, also for writes with a body', async () => {
    let valid = 'access-1';
    const double = gateway((request, body) => {
      const path = new URL(request.url).pathname;
      if (path === '/v1/auth/refresh') {
        expect(JSON.parse(body)).toEqual({ refreshToken: 'refresh-1' });
        valid = 'access-2';
        return json(200, tokens(2));
      }
      if (request.headers.get('authorization') !== `Bearer ${valid}`) {
        return problem(401, 'unauthorized');
      }
      return json(202, { id: 'job', body: body ? JSON.parse(body) : null });
    });
    const client = createFluxNoteClient({
      baseUrl,
      fetch: double.fetch,
      session: { accessToken: 'access-1', refreshToken: 'refresh-1' },
    });
    valid = 'expired';
    // two requests at once: one refresh between them
    const [a, b] = await Promise.all([
      unwrap(
        client.api.POST('/v1/generations', { body: { model: 'm', mode: 'text', prompt: 'a' } }),
      ),
      unwrap(client.api.GET('/v1/models')),
    ]);
    expect(a).toMatchObject({ id: 'job', body: { prompt: 'a' } });
    expect(b).toBeDefined();
    expect(double.seen.filter((r) => r.path === '/v1/auth/refresh')).toHaveLength(1);
    expect(client.session()).toEqual({ accessToken: 'access-2', refreshToken: 'refresh-2' });
  });

  it('sends one Idempotency-Key per submit and the same one on each retry', async () => {
    let calls = 0;
    const double = gateway(() =>
      ++calls < 3 ? problem(503, 'service-unavailable') : json(202, { id: 'job' }),
    );
    const client = createFluxNoteClient({ baseUrl, fetch: double.fetch });
    await client.api.POST('/v1/generations', { body: { model: 'm', mode: 'text', prompt: 'a' } });
    await client.api.POST('/v1/generations', { body: { model: 'm', mode: 'text', prompt: 'a' } });
    const keys = double.seen.map((r) => r.headers.get('idempotency-key'));
    expect(keys[0]).toMatch(/^[0-9a-f-]{36}$/);
    expect(keys.slice(0, 3)).toEqual([keys[0], keys[0], keys[0]]);
    expect(keys[3]).not.toBe(keys[0]);
  });

  it('does not send again a write that takes no key', async () => {
    const double = gateway(() => problem(503, 'service-unavailable'));
    const client = createFluxNoteClient({ baseUrl, fetch: double.fetch });
    await expect(
      client.api.POST('/v1/support/tickets', { body: { channel: 'email', body: 'hi' } }),
    ).rejects.toBeInstanceOf(ApiProblem);
    expect(double.seen).toHaveLength(1);
    expect(double.seen[0].headers.has('idempotency-key')).toBe(false);
  });

  it('throws each error answer as an ApiProblem with its slug, and ends the session on log-out', async () => {
    const double = gateway((request) =>
      new URL(request.url).pathname === '/v1/auth/logout'
        ? new Response(null, { status: 204 })
        : problem(402, 'insufficient-credits'),
    );
    const client = createFluxNoteClient({
      baseUrl,
      fetch: double.fetch,
      session: { accessToken: 'a', refreshToken: 'r' },
    });
    const error = await client.api
      .POST('/v1/generations', { body: { model: 'm', mode: 'text', prompt: 'a' } })
      .catch((e: unknown) => e);
    expect(ApiProblem.is(error, 'insufficient-credits')).toBe(true);
    expect(error).toMatchObject({ status: 402, message: 'because insufficient-credits' });
    await client.api.POST('/v1/auth/logout', { body: { refreshToken: 'r' } });
    expect(client.session()).toBeUndefined();
  });

  it('walks every page of a collection', async () => {
    const all = Array.from({ length: 5 }, (_, i) => ({ id: String(i) }));
    const fetchPage = (cursor: string | undefined) => {
      const start = Number(cursor ?? 0);
      return Promise.resolve({
        items: all.slice(start, start + 2),
        nextCursor: start + 2 < all.length ? String(start + 2) : null,
      });
    };
    const seen: string[] = [];
    for await (const item of pages(fetchPage)) {
      seen.push(item.id);
    }
    expect(seen).toEqual(['0', '1', '2', '3', '4']);
  });

  it('resumes a stream after a dropped connection from the last event it got', async () => {
    let connection = 0;
    const double = gateway((request) => {
      connection++;
      const after = Number(request.headers.get('last-event-id') ?? 0);
      if (connection === 3) {
        return new Response(null, { status: 204 });
      }
      const events = [after + 1, after + 2]
        .map(
          (id) =>
            `id: ${id}\nevent: status\ndata: ${JSON.stringify({ id: 'job', status: `s${id}`, at: 't' })}\n\n`,
        )
        .join('');
      return new Response(`retry: 5000\n\n${events}`, {
        headers: { 'content-type': 'text/event-stream' },
      });
    });
    const client = createFluxNoteClient({ baseUrl, fetch: double.fetch });
    const statuses: string[] = [];
    for await (const event of client.stream('/v1/generations/{id}/stream', {
      path: { id: 'job' },
      reconnectDelayMs: 1,
    })) {
      statuses.push(`${event.id}:${event.data.status}`);
    }
    expect(statuses).toEqual(['1:s1', '2:s2', '3:s3', '4:s4']);
    expect(double.seen.map((r) => r.headers.get('last-event-id'))).toEqual([null, '2', '4']);
  });
});
