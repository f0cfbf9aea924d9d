import { Inject, Injectable } from '@nestjs/common';
import { createRemoteJWKSet, jwtVerify, type JSONWebKeySet, type RemoteJWKSet } from 'jose';
import { LRUCache } from 'lru-cache';
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

/** How long a verified token is taken as verified: a signing key withdrawn stops counting by then. */
const VERIFIED_FOR_MS = 60_000;

/**
 * Verifies access tokens locally against the accounts JWKS (fetched once,
 * cached, refetched when an unknown key id appears): no call per request.
 * A token verified once is remembered for a minute (its signature is the costly part of a
 * request; a client sends the same token with each): within that minute it is still refused
 * once it expires by the platform clock, and a session ended is refused at once (`verify`).
 */
@Injectable()
export class TokenVerifier {
  private readonly jwks: RemoteJWKSet;
  /** Token → its caller, until the sooner of its expiry and a minute after its check (ms). */
  private readonly verified = new LRUCache<string, { caller: Caller; until: number }>({
    max: 50_000,
  });

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
    // By the platform clock, like the token's own expiry.
    const now = this.clock.now().getTime();
    const known = this.verified.get(token);
    if (known && now < known.until) {
      return known.caller;
    }
    const { caller, expiresAt } = await this.verifyAnew(token);
    // The same object answers every request with this token: none may change it for the next.
    Object.freeze(caller.roles);
    this.verified.set(token, {
      caller: Object.freeze(caller),
      until: Math.min(expiresAt, now + VERIFIED_FOR_MS),
    });
    return caller;
  }

  protected async verifyAnew(token: string): Promise<{ caller: Caller; expiresAt: number }> {
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
      const caller: Caller = {
        id: payload.sub,
        roles: Array.isArray(payload['roles']) ? (payload['roles'] as string[]) : [],
        brand: typeof payload['brand'] === 'string' ? payload['brand'] : 'fluxnote',
        country: typeof payload['country'] === 'string' ? payload['country'] : null,
        sessionId: typeof payload['sid'] === 'string' ? payload['sid'] : '',
        status: typeof payload['st'] === 'string' ? payload['st'] : 'active',
      };
      return { caller, expiresAt: payload.exp === undefined ? Infinity : payload.exp * 1000 };
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
