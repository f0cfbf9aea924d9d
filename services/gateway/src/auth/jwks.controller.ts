import { Controller, Get, Header, Inject } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { ProblemError } from '@fluxnote/contracts';
import { GATEWAY_CONFIG, type GatewayConfig } from '../config/gateway.config';

interface Jwks {
  keys: Record<string, unknown>[];
}

const FRESH_MS = 60_000;

/**
 * The public keys FluxNote's access tokens are signed with (accounts' JWKS), published here so
 * that anyone holding a FluxNote token can verify it. Kept a minute; if accounts does not answer,
 * the last copy is served, and without one the answer is 503.
 */
@ApiTags('accounts')
@Controller('.well-known')
export class JwksController {
  private cached: { jwks: Jwks; at: number } | undefined;

  constructor(@Inject(GATEWAY_CONFIG) private readonly config: GatewayConfig) {}

  @Get('jwks.json')
  @Header('Cache-Control', 'public, max-age=300')
  async jwks(): Promise<Jwks> {
    if (this.cached && Date.now() - this.cached.at < FRESH_MS) {
      return this.cached.jwks;
    }
    try {
      const response = await fetch(
        new URL('/.well-known/jwks.json', this.config.ACCOUNTS_HTTP_URL),
        { signal: AbortSignal.timeout(2_000) },
      );
      if (!response.ok) {
        throw new Error(`accounts answered ${response.status}`);
      }
      const jwks = (await response.json()) as Jwks;
      // Public parts only, whatever accounts sends.
      const keys = jwks.keys.map(({ kty, crv, x, y, kid, alg, use }) => ({
        kty,
        crv,
        x,
        y,
        kid,
        alg,
        use,
      }));
      this.cached = { jwks: { keys }, at: Date.now() };
      return this.cached.jwks;
    } catch {
      if (this.cached) {
        return this.cached.jwks;
      }
      throw ProblemError.unavailable('The signing keys cannot be read just now. Retry shortly.');
    }
  }
}
