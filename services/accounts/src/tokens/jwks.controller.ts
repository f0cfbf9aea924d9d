import { Controller, Get, Header } from '@nestjs/common';
import type { JWK } from 'jose';
import { TokenIssuer } from './token-issuer';

/** The public signing keys, for the gateway's token verification. */
@Controller('.well-known')
export class JwksController {
  constructor(private readonly issuer: TokenIssuer) {}

  @Get('jwks.json')
  @Header('Cache-Control', 'public, max-age=300')
  jwks(): { keys: JWK[] } {
    return this.issuer.jwks();
  }
}
