import postgresTeardown from './jest-global-teardown';

export default async function globalTeardown(): Promise<void> {
  await globalThis.__FLUXNOTE_TEST_KAFKA__?.stop();
  globalThis.__FLUXNOTE_TEST_KAFKA__ = undefined;
  await postgresTeardown();
}
