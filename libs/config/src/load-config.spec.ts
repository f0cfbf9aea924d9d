import { ConfigError, loadConfig, serviceConfigSchema, z } from './index';

const schema = serviceConfigSchema({ STRIPE_SECRET_KEY: z.string().optional() }, [
  'STRIPE_SECRET_KEY',
]);
const db = { DATABASE_URL: 'postgres://localhost/fluxnote' };

describe('loadConfig', () => {
  it('applies defaults in development', () => {
    const config = loadConfig(schema, 'billing', db);
    expect(config.NODE_ENV).toBe('development');
    expect(config.DATA_DIR).toBe('./var');
    expect(config.GRPC_DEADLINE_MS).toBe(5000);
  });

  it('requires a database', () => {
    expect(() => loadConfig(schema, 'billing', {})).toThrow(/DATABASE_URL/);
  });

  it('names every wrong value', () => {
    const attempt = (): unknown =>
      loadConfig(schema, 'billing', { HTTP_PORT: 'eighty', DATABASE_URL: 'mysql://x' });
    expect(attempt).toThrow(/Invalid configuration for billing/);
    expect(attempt).toThrow(/HTTP_PORT: .*expected number/);
    expect(attempt).toThrow(/DATABASE_URL: must be a postgres/);
  });

  it('requires external settings in production', () => {
    let message = '';
    try {
      loadConfig(schema, 'billing', { ...db, NODE_ENV: 'production' });
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      message = (error as Error).message;
    }
    expect(message).toContain('KAFKA_BROKERS: is required when NODE_ENV=production');
    expect(message).toContain('STRIPE_SECRET_KEY: is required when NODE_ENV=production');
  });
});
