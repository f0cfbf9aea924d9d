import { ConfigError, kafkaSecurity, loadConfig, serviceConfigSchema, z } from './index';

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

  it('reads Kafka TLS and SASL, and wants both credentials with a mechanism', () => {
    const plain = loadConfig(schema, 'billing', db);
    expect(kafkaSecurity(plain)).toEqual({ ssl: false });
    const managed = loadConfig(schema, 'billing', {
      ...db,
      KAFKA_SSL: 'true',
      KAFKA_SASL_MECHANISM: 'scram-sha-512',
      KAFKA_SASL_USERNAME: 'billing',
      KAFKA_SASL_PASSWORD: 'secret',
    });
    expect(kafkaSecurity(managed)).toEqual({
      ssl: true,
      sasl: { mechanism: 'scram-sha-512', username: 'billing', password: 'secret' },
    });
    expect(() => loadConfig(schema, 'billing', { ...db, KAFKA_SSL: 'yes' })).toThrow(/KAFKA_SSL/);
    expect(() => loadConfig(schema, 'billing', { ...db, KAFKA_SASL_MECHANISM: 'plain' })).toThrow(
      /KAFKA_SASL_USERNAME: is required with KAFKA_SASL_MECHANISM/,
    );
  });
});
