import type { ServiceDatabase } from '@fluxnote/platform';
import { InitialGateway1763700000400 } from './migrations/1763700000400-initial-gateway';
import { RateLimits1764500000400 } from './migrations/1764500000400-rate-limits';

/** The gateway schema: its tables and the migrations that build them (used at start and by `main.js migrate`). */
export const gatewayDatabase: ServiceDatabase = {
  service: 'gateway',
  entities: [],
  migrations: [InitialGateway1763700000400, RateLimits1764500000400],
};
