import { defaultModels } from '../catalog/model-catalog';
import { generationConfigSchema } from './generation.config';

const wiring = {
  DATABASE_URL: 'postgres://localhost/fluxnote',
  BILLING_GRPC_URL: '127.0.0.1:1',
  ACCOUNTS_GRPC_URL: '127.0.0.1:1',
};

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

  it('in production runs no model on the simulator', () => {
    const production = {
      ...wiring,
      NODE_ENV: 'production',
      KAFKA_BROKERS: 'kafka:9092',
      MODEL_PROVIDER_API_KEY: 'key',
    };
    const missing = generationConfigSchema.safeParse(production);
    expect(missing.error?.issues.map((i) => i.path[0])).toEqual(
      expect.arrayContaining(['MODEL_PROVIDER_URL', 'MODEL_PROVIDER_MODELS']),
    );
    const partial = generationConfigSchema.safeParse({
      ...production,
      MODEL_PROVIDER_URL: 'https://models.example.com',
      MODEL_PROVIDER_MODELS: 'kling-3.0',
    });
    expect(partial.error?.issues).toEqual([
      expect.objectContaining({
        path: ['MODEL_PROVIDER_MODELS'],
        message: expect.stringContaining('sora-2-pro') as string,
      }),
    ]);
    const all = generationConfigSchema.parse({
      ...production,
      MODEL_PROVIDER_URL: 'https://models.example.com',
      MODEL_PROVIDER_MODELS: defaultModels.map((m) => m.id).join(','),
    });
    expect(all.MODEL_PROVIDER_MODELS).toHaveLength(defaultModels.length);
  });
});
