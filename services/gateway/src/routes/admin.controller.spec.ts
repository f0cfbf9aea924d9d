import type { Pool } from 'pg';
import { SystemClock } from '@fluxnote/clock';
import { ProblemError } from '@fluxnote/contracts';
import type { ServiceClients } from '../clients/service-clients';
import { gatewayConfigSchema } from '../config/gateway.config';
import { AdminController } from './admin.controller';

const wiring = {
  DATABASE_URL: 'postgres://localhost/fluxnote',
  ACCOUNTS_GRPC_URL: '127.0.0.1:1',
  ACCOUNTS_HTTP_URL: 'http://127.0.0.1:2',
  BILLING_GRPC_URL: '127.0.0.1:3',
  GENERATION_GRPC_URL: '127.0.0.1:4',
  NOTIFICATIONS_GRPC_URL: '127.0.0.1:5',
  SUPPORT_GRPC_URL: '127.0.0.1:6',
};

describe('AdminController in production mode', () => {
  const config = gatewayConfigSchema.parse({
    ...wiring,
    NODE_ENV: 'production',
    KAFKA_BROKERS: 'kafka:9092',
  });
  const untouched = new Proxy(
    {},
    {
      get: () => {
        throw new Error('must not be called');
      },
    },
  );
  const controller = new AdminController(
    untouched as ServiceClients,
    untouched as Pool,
    config,
    new SystemClock(),
  );

  it.each([
    ['the clock', () => controller.moveClock({ advance: 'P1D' })],
    ['the simulator', () => controller.setSimulator('wan-2.6', { failure: 'crash' })],
  ])('refuses to move %s', async (_what, call) => {
    await expect(call()).rejects.toMatchObject({ problem: { status: 403 } });
    await expect(call()).rejects.toBeInstanceOf(ProblemError);
  });
});
