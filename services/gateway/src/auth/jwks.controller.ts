import { Controller, Header } from '@nestjs/common';
import { TokenVerifier } from './token-verifier';
import { Endpoint } from '../api/endpoint';
import { publicOperations } from '../routes/platform.api';

/**
 * The public keys FluxNote's access tokens are signed with (accounts' JWKS, as the gateway's
 * token verification holds it), published so that anyone holding a FluxNote token can verify it.
 */
@Controller()
export class JwksController {
  constructor(private readonly verifier: TokenVerifier) {}

  @Endpoint(publicOperations.jwks)
  @Header('Cache-Control', 'public, max-age=300')
  async jwks(): Promise<{ keys: Record<string, unknown>[] }> {
    const { keys } = await this.verifier.publicKeys();
    // Public parts only, whatever accounts sends.
    return {
      keys: keys.map(({ kty, crv, x, y, kid, alg, use }) => ({ kty, crv, x, y, kid, alg, use })),
    };
  }
}
