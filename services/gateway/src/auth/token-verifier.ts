import { Inject, Injectable } from '@nestjs/common';
import { createRemoteJWKSet, jwtVerify, type JSONWebKeySet, type RemoteJWKSet } from 'jose';
import { Clock } from '@fluxnote/clock';
import { ProblemError } from '@fluxnote/contracts';
import { GATEWAY_CONFIG, type GatewayConfig } from '../config/gateway.config';
import { RevocationList } from './revocation-list';

export interface Caller {
  id: string;
  roles: string[];
  brand: string;
  country: string | null;
  sessionId: string;
  /** `active`, or `suspended` (a session that may only read the suspension and appeal). */
  status: string;
}

/**
 * Verifies access tokens locally against the accounts JWKS (fetched once,
 * cached, refetched when an unknown key id appears): no call per request.
 */
@Injectable()
export class TokenVerifier {
  private readonly jwks: RemoteJWKSet;

  constructor(
    private readonly clock: Clock,
    private readonly revocations: RevocationList,
    @Inject(GATEWAY_CONFIG) private readonly config: GatewayConfig,
  ) {
    this.jwks = createRemoteJWKSet(new URL('/.well-known/jwks.json', config.ACCOUNTS_HTTP_URL), {
      cooldownDuration: 30_000,
      cacheMaxAge: 600_000,
    });
  }

  /** The signing keys as accounts last served them (refetched when stale), for publishing. */
  async publicKeys(): Promise<JSONWebKeySet> {
    if (!this.jwks.fresh) {
      await this.jwks.reload().catch(() => undefined); // the last copy is served meanwhile
    }
    const keys = this.jwks.jwks();
    if (!keys) {
      throw ProblemError.unavailable('The signing keys cannot be read just now. Retry shortly.');
    }
    return keys;
  }

  async verify(token: string): Promise<Caller> {
    const caller = await this.verifySignature(token);
    if (this.revocations.isEnded(caller.sessionId)) {
      throw new ProblemError({
        type: 'session-ended',
        title: 'Unauthorized',
        status: 401,
        detail: 'This session has ended. Log in again.',
      });
    }
    return caller;
  }

  private async verifySignature(token: string): Promise<Caller> {
    try {
      const { payload } = await jwtVerify(token, this.jwks, {
        issuer: this.config.JWT_ISSUER,
        audience: this.config.JWT_AUDIENCE,
        algorithms: ['ES256'],
        currentDate: this.clock.now(),
      });
      if (typeof payload.sub !== 'string') {
        throw new Error('no subject');
      }
      return {
        id: payload.sub,
        roles: Array.isArray(payload['roles']) ? (payload['roles'] as string[]) : [],
        brand: typeof payload['brand'] === 'string' ? payload['brand'] : 'fluxnote',
        country: typeof payload['country'] === 'string' ? payload['country'] : null,
        sessionId: typeof payload['sid'] === 'string' ? payload['sid'] : '',
        status: typeof payload['st'] === 'string' ? payload['st'] : 'active',
      };
    } catch (error) {
      const expired = (error as { code?: string }).code === 'ERR_JWT_EXPIRED';
      throw new ProblemError({
        type: expired ? 'token-expired' : 'invalid-token',
        title: 'Unauthorized',
        status: 401,
        detail: expired
          ? 'The access token has expired; refresh it.'
          : 'The access token is not valid.',
      });
    }
  }
}
