import type { ServiceDatabase } from '@fluxnote/platform';
import { InitialGateway1763700000400 } from './migrations/1763700000400-initial-gateway';

/** The gateway schema: its tables and the migrations that build them (used at start and by `main.js migrate`). */
export const gatewayDatabase: ServiceDatabase = {
  service: 'gateway',
  entities: [],
  migrations: [InitialGateway1763700000400],
};
