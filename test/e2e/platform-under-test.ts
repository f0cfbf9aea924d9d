import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { simpleParser } from 'mailparser';
import {
  createTestDatabase,
  expectEventually,
  makeTempDir,
  testTransport,
} from '@fluxnote/testing';
import { Platform } from '../../tools/launcher/platform';

/**
 * Rate limits out of the way of suites that sign up and write more than one person would; the
 * rate-limit suite runs on the defaults instead.
 */
export const relaxedRateLimits = {
  RATE_LIMITS: '*=100000/3600',
  LOGIN_CODE_RATE_LIMITS: '*=100000/3600',
} as const;

/** The admin every suite started here has. */
export const testAdmin = { email: 'ops@fluxnote.test', password: 'operations-password' };

/**
 * The whole platform for one end-to-end suite, as `npm start` starts it: its own database and
 * data folder, on a free port, on this Jest project's event transport (`testTransport()`).
 * `stop()` removes all of it.
 */
export async function startPlatformUnderTest(
  name: string,
  env: NodeJS.ProcessEnv = {},
): Promise<{ platform: Platform; stop: () => Promise<void> }> {
  const db = await createTestDatabase(name);
  const dataDir = makeTempDir(name);
  const stopAll = async (platform?: Platform): Promise<void> => {
    await platform?.stop();
    await db.drop();
    rmSync(dataDir, { recursive: true, force: true });
  };
  try {
    const platform = await Platform.start({
      dataDir,
      databaseUrl: db.url,
      port: 0,
      env: {
        LOG_LEVEL: 'warn',
        ADMIN_EMAIL: testAdmin.email,
        ADMIN_PASSWORD: testAdmin.password,
        ...relaxedRateLimits,
        ...testTransport().env,
        ...env,
      },
    });
    return { platform, stop: () => stopAll(platform) };
  } catch (error) {
    await stopAll();
    throw error;
  }
}

/** An email as its reader sees it. */
export interface Mail {
  subject: string;
  text: string;
}

/** The mail `email` got whose subject matches, once the platform has written it. */
export async function mailTo(platform: Platform, email: string, subject: RegExp): Promise<Mail> {
  return expectEventually(async () => {
    const dir = platform.mailDir;
    const files = existsSync(dir) ? readdirSync(dir) : [];
    for (const file of files) {
      const parsed = await simpleParser(readFileSync(join(dir, file)));
      const to = Array.isArray(parsed.to) ? parsed.to[0] : parsed.to;
      if (to?.text.includes(email) && subject.test(parsed.subject ?? '')) {
        return { subject: parsed.subject ?? '', text: parsed.text ?? '' };
      }
    }
    throw new Error(`no mail to ${email} matching ${subject}`);
  });
}
