import { generationConfigSchema } from './generation.config';

const wiring = { DATABASE_URL: 'postgres://localhost/fluxnote', BILLING_GRPC_URL: '127.0.0.1:1' };

describe('generation config', () => {
  it('reads per-model running limits, and none by default', () => {
    expect(generationConfigSchema.parse(wiring).MODEL_CONCURRENCY).toEqual({});
    expect(
      generationConfigSchema.parse({ ...wiring, MODEL_CONCURRENCY: 'sora-2-pro=2, wan-2.6=20' })
        .MODEL_CONCURRENCY,
    ).toEqual({ 'sora-2-pro': 2, 'wan-2.6': 20 });
  });

  it.each([
    ['wan-2.6', 'not model=limit'],
    ['wan-2.6=0', 'not model=limit'],
    ['wan-2.6=two', 'not model=limit'],
    ['sora-3=4', 'not a model of the catalog'],
  ])('refuses MODEL_CONCURRENCY=%s, naming the setting', (value, message) => {
    const result = generationConfigSchema.safeParse({ ...wiring, MODEL_CONCURRENCY: value });
    expect(result.success).toBe(false);
    expect(result.error?.issues[0]).toMatchObject({
      path: ['MODEL_CONCURRENCY'],
      message: expect.stringContaining(message),
    });
  });
});
