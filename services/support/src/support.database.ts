import type { ServiceDatabase } from '@fluxnote/platform';
import { InitialSupport1763700000500 } from './migrations/1763700000500-initial-support';

/** The support schema: its tables and the migrations that build them (used at start and by `main.js migrate`). */
export const supportDatabase: ServiceDatabase = {
  service: 'support',
  entities: [],
  migrations: [InitialSupport1763700000500],
};
