import { rmSync } from 'node:fs';

export default async function globalTeardown(): Promise<void> {
  const pg = globalThis.__FLUXNOTE_TEST_PG__;
  if (pg) {
    await pg.stop();
    const dir = process.env['TEST_POSTGRES_DIR'];
    if (dir) {
      rmSync(dir, { recursive: true, force: true });
    }
  }
}
