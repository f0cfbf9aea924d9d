import { rmSync } from 'node:fs';

export default async function globalTeardown(): Promise<void> {
  const pg = globalThis.__FLUXNOTE_TEST_PG__;
  if (pg) {
    globalThis.__FLUXNOTE_TEST_PG__ = undefined; // one teardown stops it, whichever project's runs first
    await pg.stop();
    const dir = process.env['TEST_POSTGRES_DIR'];
    if (dir) {
      rmSync(dir, { recursive: true, force: true });
    }
  }
}
