import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey } from 'jose';
import { FixedClock } from '@fluxnote/clock';
import { ProblemError } from '@fluxnote/contracts';
import { gatewayConfigSchema } from '../config/gateway.config';
import type { RevocationList } from './revocation-list';
import { TokenVerifier } from './token-verifier';

/** Counts the signature checks it makes. */
class CountingVerifier extends TokenVerifier {
  checks = 0;

  protected override verifyAnew(token: string): ReturnType<TokenVerifier['verifyAnew']> {
    this.checks++;
    return super.verifyAnew(token);
  }
}

describe('TokenVerifier', () => {
  const clock = new FixedClock(new Date('2026-12-04T12:00:00Z'));
  const ended = new Set<string>();
  let server: Server;
  let privateKey: CryptoKey;
  let verifier: CountingVerifier;

  beforeAll(async () => {
    const pair = await generateKeyPair('ES256');
    privateKey = pair.privateKey;
    const jwk = { ...(await exportJWK(pair.publicKey)), kid: 'k1', alg: 'ES256', use: 'sig' };
    server = createServer((_req, res) => {
      res
        .writeHead(200, { 'content-type': 'application/json' })
        .end(JSON.stringify({ keys: [jwk] }));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const config = gatewayConfigSchema.parse({
      DATABASE_URL: 'postgres://localhost/fluxnote',
      ACCOUNTS_GRPC_URL: '127.0.0.1:1',
      ACCOUNTS_HTTP_URL: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
      BILLING_GRPC_URL: '127.0.0.1:3',
      GENERATION_GRPC_URL: '127.0.0.1:4',
      NOTIFICATIONS_GRPC_URL: '127.0.0.1:5',
      SUPPORT_GRPC_URL: '127.0.0.1:6',
    });
    const revocations = { isEnded: (sid: string) => ended.has(sid) } as unknown as RevocationList;
    verifier = new CountingVerifier(clock, revocations, config);
  });

  afterAll(() => {
    server.close();
  });

  /** An access token as accounts signs it, valid for `minutes` by the platform clock. */
  const token = (sid: string, minutes = 15): Promise<string> =>
    new SignJWT({ sid, roles: ['user'], brand: 'fluxnote', country: 'US', st: 'active' })
      .setProtectedHeader({ alg: 'ES256', kid: 'k1' })
      .setSubject('0b7c2a3e-1d2f-4a5b-8c9d-0e1f2a3b4c5d')
      .setIssuer('https://accounts.fluxnote.internal')
      .setAudience('fluxnote-api')
      .setIssuedAt(Math.floor(clock.now().getTime() / 1000))
      .setExpirationTime(Math.floor(clock.now().getTime() / 1000) + minutes * 60)
      .sign(privateKey);

  const refusal = (promise: Promise<unknown>): Promise<string> =>
    promise.then(
      () => 'accepted',
      (error: unknown) => (error instanceof ProblemError ? error.problem.type : String(error)),
    );

  it('checks a token’s signature once a minute, not on every request', async () => {
    const t = await token('s-cached');
    const before = verifier.checks;
    for (let i = 0; i < 5; i++) {
      expect((await verifier.verify(t)).sessionId).toBe('s-cached');
    }
    expect(verifier.checks - before).toBe(1);
    // one request cannot change what the next one is told
    const caller = await verifier.verify(t);
    expect(() => caller.roles.push('admin')).toThrow(TypeError);
    expect((await verifier.verify(t)).roles).toEqual(['user']);
    // a minute later (a signing key withdrawn meanwhile would refuse it now), checked again
    clock.advance(61_000);
    await verifier.verify(t);
    expect(verifier.checks - before).toBe(2);
  });

  it('still refuses a remembered token once it expires by the platform clock', async () => {
    const t = await token('s-expiring', 2);
    await verifier.verify(t);
    clock.advance(3 * 60_000);
    expect(await refusal(verifier.verify(t))).toBe('token-expired');
  });

  it('refuses a remembered token at once when its session ends', async () => {
    const t = await token('s-ended');
    await verifier.verify(t);
    ended.add('s-ended');
    expect(await refusal(verifier.verify(t))).toBe('session-ended');
  });

  it('refuses a token changed by one character, and is not fooled by what it remembered', async () => {
    const t = await token('s-tampered');
    await verifier.verify(t);
    const [header, payload, signature] = t.split('.');
    const flipped =
      signature.slice(0, -2) + (signature.at(-2) === 'A' ? 'B' : 'A') + signature.at(-1);
    expect(await refusal(verifier.verify(`${header}.${payload}.${flipped}`))).toBe('invalid-token');
    expect(await refusal(verifier.verify('not-a-token'))).toBe('invalid-token');
  });
});
