import { Controller, Get, Header } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { TokenVerifier } from './token-verifier';

/**
 * The public keys FluxNote's access tokens are signed with (accounts' JWKS, as the gateway's
 * token verification holds it), published so that anyone holding a FluxNote token can verify it.
 */
@ApiTags('accounts')
@Controller('.well-known')
export class JwksController {
  constructor(private readonly verifier: TokenVerifier) {}

  @Get('jwks.json')
  @Header('Cache-Control', 'public, max-age=300')
  async jwks(): Promise<{ keys: Record<string, unknown>[] }> {
    const { keys } = await this.verifier.publicKeys();
    // Public parts only, whatever accounts sends.
    return {
      keys: keys.map(({ kty, crv, x, y, kid, alg, use }) => ({ kty, crv, x, y, kid, alg, use })),
    };
  }
}
