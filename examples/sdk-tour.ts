import { ApiProblem, createFluxNoteClient, pages, unwrap } from '@fluxnote/client';

/** The README's tour with the SDK: sign up, price and submit a job, follow it live, run out. */
export async function tour(baseUrl: string, log: (line: string) => void): Promise<void> {
  const client = createFluxNoteClient({ baseUrl });
  const { api } = client;
  // the client keeps the session it gets here (and refreshes it on a 401)
  await unwrap(
    api.POST('/v1/auth/signup', {
      body: { email: `ana-${Date.now()}@example.com`, password: 'correct horse battery' },
    }),
  );
  const job = { model: 'wan-2.6', mode: 'text-to-video', prompt: 'a red fox in fresh snow' };
  const quote = await unwrap(api.POST('/v1/generations/quote', { body: job }));
  log(`a job costs ${quote.videoCredits} video credit`);
  // sent with an Idempotency-Key: a retry after a lost answer is the same job, charged once
  const submitted = await unwrap(api.POST('/v1/generations', { body: job }));
  const stream = client.stream('/v1/generations/{id}/stream', {
    path: { id: submitted.id },
    lastEventId: '0', // from its first status; a dropped connection resumes where it was
  });
  for await (const { data } of stream) {
    log(`job ${data.status}`);
    if (['succeeded', 'failed', 'blocked', 'cancelled'].includes(data.status)) {
      break;
    }
  }
  const everyPage = pages((cursor) =>
    unwrap(api.GET('/v1/generations', { params: { query: { cursor } } })),
  );
  for await (const generation of everyPage) {
    log(`${generation.id}: ${generation.output?.url ?? generation.status}`);
  }
  try {
    await unwrap(api.POST('/v1/generations', { body: job }));
  } catch (error) {
    if (!ApiProblem.is(error, 'insufficient-credits')) {
      throw error;
    }
    log(`the free credit is spent: ${error.status} ${error.type}`);
  }
}

if (require.main === module) {
  const write = (line: string): void => void process.stdout.write(`${line}\n`);
  tour(process.argv[2] ?? 'http://127.0.0.1:8080', write).catch((error: unknown) => {
    process.stderr.write(`${String(error)}\n`);
    process.exit(1);
  });
}
