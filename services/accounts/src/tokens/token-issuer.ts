import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import { createHash, randomBytes } from 'node:crypto';
import {
  calculateJwkThumbprint,
  exportJWK,
  exportPKCS8,
  generateKeyPair,
  importPKCS8,
  SignJWT,
  type JWK,
  type CryptoKey,
} from 'jose';
import { DataSource } from 'typeorm';
import { Clock } from '@fluxnote/clock';
import { ACCOUNTS_CONFIG, type AccountsConfig } from '../config/accounts.config';
import type { UserEntity } from '../users/user.entity';
import { signingKeyRows } from './signing-keys.repository';

const ALG = 'ES256';

/**
 * Signs access tokens with an ES256 key and publishes the public half as a JWKS,
 * so the gateway verifies tokens without calling accounts. The key comes from
 * `JWT_PRIVATE_KEY` (production) or is generated once and kept in the database.
 */
@Injectable()
export class TokenIssuer implements OnModuleInit {
  private privateKey!: CryptoKey;
  private publicJwk!: JWK;

  constructor(
    private readonly dataSource: DataSource,
    private readonly clock: Clock,
    @Inject(ACCOUNTS_CONFIG) private readonly config: AccountsConfig,
  ) {}

  async onModuleInit(): Promise<void> {
    const pem = this.config.JWT_PRIVATE_KEY ?? (await this.storedOrNewKey());
    this.privateKey = await importPKCS8(pem, ALG, { extractable: true });
    const jwk = await exportJWK(this.privateKey);
    const publicJwk: JWK = { kty: jwk.kty, crv: jwk.crv, x: jwk.x, y: jwk.y };
    this.publicJwk = {
      ...publicJwk,
      kid: await calculateJwkThumbprint(publicJwk),
      alg: ALG,
      use: 'sig',
    };
  }

  jwks(): { keys: JWK[] } {
    return { keys: [this.publicJwk] };
  }

  async accessToken(
    user: UserEntity,
    sessionId: string,
  ): Promise<{ token: string; expiresIn: number }> {
    const now = Math.floor(this.clock.now().getTime() / 1000);
    const expiresIn = this.config.ACCESS_TOKEN_TTL_SECONDS;
    const token = await new SignJWT({
      roles: user.roles,
      brand: user.brand,
      country: user.country,
      sid: sessionId,
      /** Not active (suspended): the gateway allows only reading the suspension and appealing. */
      st: user.status,
    })
      .setProtectedHeader({ alg: ALG, kid: this.publicJwk.kid! })
      .setSubject(user.id)
      .setIssuer(this.config.JWT_ISSUER)
      .setAudience(this.config.JWT_AUDIENCE)
      .setIssuedAt(now)
      .setExpirationTime(now + expiresIn)
      .sign(this.privateKey);
    return { token, expiresIn };
  }

  /** A new opaque refresh token and the hash under which it is stored. */
  refreshToken(): { token: string; hash: string } {
    const token = randomBytes(32).toString('base64url');
    return { token, hash: hashRefreshToken(token) };
  }

  private async storedOrNewKey(): Promise<string> {
    const existing = await signingKeyRows.newest(this.dataSource);
    if (existing) {
      return existing;
    }
    const { privateKey } = await generateKeyPair(ALG, { extractable: true });
    const pem = await exportPKCS8(privateKey);
    await signingKeyRows.insertIfNone(this.dataSource, pem);
    return (await signingKeyRows.newest(this.dataSource))!;
  }
}

export function hashRefreshToken(token: string): string {
  return createHash('sha256').update(token).digest('base64url');
}
