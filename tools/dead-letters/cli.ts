import { loadConfigOrExit, serviceConfigSchema } from '@fluxnote/config';
import { runDeadLetters } from '@fluxnote/platform';

/**
 * `npm run dead-letters -- <command>` from a checkout: the same command as `main.js
 * dead-letters` in a service image, on the transport that DATABASE_URL and KAFKA_BROKERS name
 * (`npm start` prints the DATABASE_URL of its embedded Postgres).
 */
const config = loadConfigOrExit(serviceConfigSchema({}), 'dead-letters');
void runDeadLetters(config, process.argv.slice(2));
