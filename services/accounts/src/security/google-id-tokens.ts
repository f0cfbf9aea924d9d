import { Inject, Injectable } from '@nestjs/common';
import { createRemoteJWKSet, errors, jwtVerify, type JWTVerifyGetKey } from 'jose';
import { Clock } from '@fluxnote/clock';
import { ProblemError } from '@fluxnote/contracts';
import { ACCOUNTS_CONFIG, type AccountsConfig } from '../config/accounts.config';

/** Who Google says signed in. */
export interface GoogleIdentity {
  /** Google's stable account id (`sub`); the email may change, this does not. */
  subject: string;
  email: string;
}

/** Errors that say the provider could not be asked, not that the token is bad. */
const unavailableCodes = new Set(['ERR_JWKS_TIMEOUT', 'ERR_JWKS_INVALID', 'ERR_JOSE_GENERIC']);

const invalidToken = (detail: string): ProblemError =>
  new ProblemError({ type: 'invalid-google-token', title: 'Unauthorized', status: 401, detail });

/**
 * Verifies Google ID tokens locally against Google's published keys (fetched,
 * cached and refetched when an unknown key id appears): signature, issuer, one
 * of our client ids as audience, expiry on the platform clock, and a verified
 * email. Issuer and JWKS address are configurable so tests sign with a local key.
 */
@Injectable()
export class GoogleIdTokens {
  private readonly jwks: JWTVerifyGetKey | undefined;
  private readonly audiences: string[];
  private readonly issuers: string[];

  constructor(
    private readonly clock: Clock,
    @Inject(ACCOUNTS_CONFIG) config: AccountsConfig,
  ) {
    const list = (value: string | undefined) =>
      (value ?? '')
        .split(',')
        .map((v) => v.trim())
        .filter(Boolean);
    this.audiences = list(config.GOOGLE_CLIENT_IDS);
    this.issuers = list(config.GOOGLE_ISSUERS);
    this.jwks = this.audiences.length
      ? createRemoteJWKSet(new URL(config.GOOGLE_JWKS_URL), {
          timeoutDuration: 5_000,
          cooldownDuration: 30_000,
          cacheMaxAge: 3_600_000,
        })
      : undefined;
  }

  async verify(idToken: string): Promise<GoogleIdentity> {
    if (!this.jwks) {
      throw new ProblemError({
        type: 'google-sign-in-disabled',
        title: 'Not found',
        status: 404,
        detail: 'Google sign-in is not enabled on this platform. Log in with email and password.',
      });
    }
    const payload = await jwtVerify(idToken, this.jwks, {
      issuer: this.issuers,
      audience: this.audiences,
      algorithms: ['RS256'],
      currentDate: this.clock.now(),
      clockTolerance: 60,
      requiredClaims: ['sub', 'exp', 'iat'],
    }).then(
      (verified) => verified.payload,
      (error: unknown) => {
        throw this.problemOf(error);
      },
    );
    const email = typeof payload['email'] === 'string' ? payload['email'].trim() : '';
    if (typeof payload.sub !== 'string' || !payload.sub || !email) {
      throw invalidToken('The Google token does not name an account and an email address.');
    }
    if (payload['email_verified'] !== true) {
      throw invalidToken(
        'Google has not verified this email address. Verify it with Google, or sign up with email and password.',
      );
    }
    return { subject: payload.sub, email: email.toLowerCase() };
  }

  private problemOf(error: unknown): ProblemError {
    if (error instanceof errors.JWTExpired) {
      return invalidToken('The Google token has expired. Sign in with Google again.');
    }
    if (error instanceof errors.JWTClaimValidationFailed) {
      return invalidToken(`The Google token is not for this app (its "${error.claim}" claim).`);
    }
    if (!(error instanceof errors.JOSEError) || unavailableCodes.has(error.code)) {
      return new ProblemError({
        type: 'identity-provider-unavailable',
        title: 'Service unavailable',
        status: 503,
        detail: 'Google could not be reached to check the sign-in. Try again in a minute.',
      });
    }
    return invalidToken('The Google token is not valid.');
  }
}
