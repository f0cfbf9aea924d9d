import { Algorithm, hash, verify } from '@node-rs/argon2';
import type { Platform } from '../tools/launcher/platform';
import { generateSealingKeyPair } from '@fluxnote/platform';
import { accountsConfigSchema } from '../services/accounts/src/config/accounts.config';
import { load, type LoadResult } from './gateway.bench';
import { fmt, rate } from './stats';

export interface LoginBench {
  params: string;
  /** One argon2id verification on its own, in ms. */
  verifyMs: number;
  /** argon2id verifications per second with every libuv thread busy: the ceiling for log-ins. */
  verifiesPerSecond: number;
  logins: LoadResult;
}

/**
 * The cost of a log-in: argon2id with the platform's default parameters, alone
 * and then behind POST /v1/auth/login (throttle checks, risk judgement, a
 * recorded log-in, a new session with a signed token) on the running platform.
 */
export async function benchLogins(
  platform: Platform,
  log: (line: string) => void,
): Promise<LoginBench> {
  const config = accountsConfigSchema.parse({
    DATABASE_URL: 'postgres://unused/db',
    NOTIFICATIONS_SEALING_PUBLIC_KEY: (await generateSealingKeyPair()).publicKey,
  });
  const params = `argon2id m=${config.ARGON2_MEMORY_KIB} KiB (${fmt(config.ARGON2_MEMORY_KIB / 1024)} MiB), t=${config.ARGON2_TIME_COST}, p=1`;
  const password = 'a long enough password';
  const stored = await hash(password, {
    algorithm: Algorithm.Argon2id,
    memoryCost: config.ARGON2_MEMORY_KIB,
    timeCost: config.ARGON2_TIME_COST,
    parallelism: 1,
  });
  const started = performance.now();
  for (let i = 0; i < 20; i++) {
    await verify(stored, password);
  }
  const verifyMs = (performance.now() - started) / 20;
  const verifiesPerSecond = await rate(200, 8, async () => {
    await verify(stored, password);
  });
  log(
    `  ${params}: ${fmt(verifyMs, 1)} ms per verification, ${fmt(verifiesPerSecond)} verifications/s on all threads`,
  );

  const email = `bench-login-${Date.now()}@example.com`;
  const device = { 'user-agent': 'FluxNote Bench 1.0' };
  await fetch(`${platform.gatewayUrl}/v1/auth/signup`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...device },
    body: JSON.stringify({ email, password }),
  });
  const body = JSON.stringify({ email, password });
  const url = `${platform.gatewayUrl}/v1/auth/login`;
  await load(url, () => device, body, { connections: 8, seconds: 3 }); // warm-up run
  const logins = await load(url, () => device, body, { connections: 8, seconds: 10 });
  log(
    `  POST /v1/auth/login (known device): ${fmt(logins.requestsPerSecond)} logins/s, p99 ${logins.p99} ms, statuses ${JSON.stringify(logins.statuses)}`,
  );
  return { params, verifyMs, verifiesPerSecond, logins };
}
