// Three tiers (ARCHITECTURE.md): unit tests beside the code (*.spec.ts), integration
// tests against a real Postgres (*.int-spec.ts) and end-to-end tests through the
// gateway (test/e2e/*.e2e-spec.ts). swc transpiles; `tsc --noEmit` type-checks separately.
const swc = JSON.parse(require('fs').readFileSync(`${__dirname}/.swcrc`, 'utf8'));
const transform = { '^.+\\.(ts|js)$': ['@swc/jest', { ...swc, swcrc: false }] };
const moduleNameMapper = { '^@fluxnote/(.*)$': '<rootDir>/libs/$1/src/index.ts' };
// jose 6 is ESM-only: Node 20.19 can require() it, Jest's module registry cannot, so swc compiles it.
const transformIgnorePatterns = ['/node_modules/(?!jose/)'];
const common = {
  transform,
  transformIgnorePatterns,
  moduleNameMapper,
  testEnvironment: 'node',
  rootDir: __dirname,
};

module.exports = {
  // One test file at a time: the end-to-end and launcher tests each start seven processes, and on a
  // 2-core machine running them beside the Kafka contract only trades speed for deadline flakiness.
  maxWorkers: 1,
  projects: [
    {
      ...common,
      displayName: 'unit',
      testMatch: ['<rootDir>/{libs,services,tools,test}/**/*.spec.ts'],
    },
    {
      ...common,
      displayName: 'integration',
      testMatch: ['<rootDir>/{libs,services,tools,test}/**/*.int-spec.ts'],
      globalSetup: '<rootDir>/libs/testing/src/jest-global-setup.ts',
      globalTeardown: '<rootDir>/libs/testing/src/jest-global-teardown.ts',
    },
    {
      ...common,
      displayName: 'e2e',
      testMatch: ['<rootDir>/test/e2e/**/*.e2e-spec.ts'],
      globalSetup: '<rootDir>/libs/testing/src/jest-global-setup.ts',
      globalTeardown: '<rootDir>/libs/testing/src/jest-global-teardown.ts',
      globals: { __FLUXNOTE_TRANSPORT__: 'embedded' },
    },
    {
      // The platform on Kafka (librdkafka's mock broker), as production runs: the flows whose
      // races only show when events take a broker's time.
      ...common,
      displayName: 'e2e-kafka',
      testMatch: [
        '<rootDir>/test/e2e/fast-client.e2e-spec.ts',
        '<rootDir>/test/e2e/secrets.e2e-spec.ts',
        '<rootDir>/test/e2e/api-tour.e2e-spec.ts',
        '<rootDir>/test/e2e/draining.e2e-spec.ts',
        '<rootDir>/test/e2e/stripe.e2e-spec.ts',
      ],
      globalSetup: '<rootDir>/libs/testing/src/jest-kafka-global-setup.ts',
      globalTeardown: '<rootDir>/libs/testing/src/jest-kafka-global-teardown.ts',
      globals: { __FLUXNOTE_TRANSPORT__: 'kafka' },
    },
  ],
};
