import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey, type JWTPayload } from 'jose';

/**
 * An OpenID identity provider in miniature, for tests of "sign in with Google":
 * an RSA key generated here, its JWKS served on 127.0.0.1, and ID tokens signed
 * with it. `sign` takes the claims to use; issuer, audience and times default
 * to a valid token for `audience` at `now`.
 */
export class IdTokenIssuerDouble {
  readonly issuer = 'https://accounts.google.test';

  private constructor(
    private readonly server: Server,
    private readonly key: CryptoKey,
    private readonly kid: string,
  ) {}

  static async start(): Promise<IdTokenIssuerDouble> {
    const { privateKey, publicKey } = await generateKeyPair('RS256');
    const kid = 'test-key-1';
    const jwks = JSON.stringify({
      keys: [{ ...(await exportJWK(publicKey)), kid, alg: 'RS256', use: 'sig' }],
    });
    const server = createServer((req, res) => {
      if (req.url === '/oauth2/v3/certs') {
        res.writeHead(200, { 'content-type': 'application/json' }).end(jwks);
      } else {
        res.writeHead(404).end();
      }
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return new IdTokenIssuerDouble(server, privateKey, kid);
  }

  get jwksUrl(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/oauth2/v3/certs`;
  }

  /** A signed ID token; `claims` override the defaults (set one to `undefined` to leave it out). */
  async sign(
    claims: JWTPayload & { email?: string; email_verified?: boolean },
    options: { audience: string; now: Date; ttlSeconds?: number; key?: CryptoKey; kid?: string },
  ): Promise<string> {
    const iat = Math.floor(options.now.getTime() / 1000);
    const payload: JWTPayload = {
      iss: this.issuer,
      aud: options.audience,
      iat,
      exp: iat + (options.ttlSeconds ?? 3600),
      email_verified: true,
      ...claims,
    };
    return new SignJWT(payload)
      .setProtectedHeader({ alg: 'RS256', kid: options.kid ?? this.kid, typ: 'JWT' })
      .sign(options.key ?? this.key);
  }

  /** A key this issuer never published, to sign forgeries with. */
  static async strangerKey(): Promise<CryptoKey> {
    return (await generateKeyPair('RS256')).privateKey;
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
