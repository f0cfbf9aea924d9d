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
import { checkAgainstContract, type ContractCheck } from './contract-check';

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
 * Puts the contract check (`contract-check.ts`) between the suite and the gateway:
 * `platform.gatewayUrl` is the checking proxy from here on. `finish()` stops it and fails (the
 * suite's afterAll) if any answer was not as the OpenAPI document describes it.
 */
export async function checkContract(
  platform: Platform,
): Promise<{ contract: ContractCheck; finish: () => Promise<void> }> {
  const contract = await checkAgainstContract(platform.gatewayUrl);
  Object.defineProperty(platform, 'gatewayUrl', { value: contract.url });
  return {
    contract,
    finish: async () => {
      await contract.close();
      if (contract.violations.length > 0) {
        throw new Error(
          `${contract.violations.length} answers are not in the OpenAPI document:\n${contract.violations.slice(0, 30).join('\n')}`,
        );
      }
    },
  };
}

/**
 * The whole platform for one end-to-end suite, as `npm start` starts it: its own database and
 * data folder, on a free port, on this Jest project's event transport (`testTransport()`), behind
 * the contract check. `stop()` removes all of it and fails on any answer not in the document.
 */
export async function startPlatformUnderTest(
  name: string,
  env: NodeJS.ProcessEnv = {},
): Promise<{ platform: Platform; contract: ContractCheck; stop: () => Promise<void> }> {
  const db = await createTestDatabase(name);
  const dataDir = makeTempDir(name);
  const stopAll = async (platform?: Platform): Promise<void> => {
    await platform?.stop();
    await db.drop();
    rmSync(dataDir, { recursive: true, force: true });
  };
  let platform: Platform | undefined;
  try {
    platform = await Platform.start({
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
    const started = platform;
    const { contract, finish } = await checkContract(started);
    return {
      platform: started,
      contract,
      stop: async () => {
        try {
          await finish();
        } finally {
          await stopAll(started);
        }
      },
    };
  } catch (error) {
    await stopAll(platform);
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
