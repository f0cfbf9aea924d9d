import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { ProblemError } from '@fluxnote/contracts';
import { isUniqueViolation } from '@fluxnote/persistence';
import { IdentityService } from '../users/identity.service';
import { UserEntity } from '../users/user.entity';
import { GoogleIdTokens, type GoogleIdentity } from './google-id-tokens';
import { LoginHistory, type LoginClient } from './login-history';
import { LoginService, type LoginResult } from './login.service';
import { userRows } from '../users/users.repository';

/**
 * Sign-in with a Google ID token. The Google account is found by its stable id;
 * the first time, it is linked to the account with the same (Google-verified)
 * email, or a new account is created for it. Either way the log-in is judged
 * like any other: a new device or an unusual country still needs the emailed
 * code, and a locked or frozen account stays shut.
 */
@Injectable()
export class GoogleSignInService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly tokens: GoogleIdTokens,
    private readonly identity: IdentityService,
    private readonly history: LoginHistory,
    private readonly logins: LoginService,
  ) {}

  async signIn(idToken: string, brand: string, client: LoginClient): Promise<LoginResult> {
    return this.signInOnce(await this.tokens.verify(idToken), brand, client);
  }

  /** `raced`: a concurrent first sign-in created or linked the account meanwhile; look again, once. */
  private async signInOnce(
    google: GoogleIdentity,
    brand: string,
    client: LoginClient,
    raced = false,
  ): Promise<LoginResult> {
    const linked = await userRows.byGoogleSubject(this.dataSource, google.subject);
    if (linked) {
      return this.admit(linked, client);
    }
    const sameEmail = await userRows.byEmail(this.dataSource, google.email);
    if (!sameEmail) {
      try {
        const session = await this.identity.signUp({
          email: google.email,
          password: null,
          googleSubject: google.subject,
          brand,
          country: client.country,
          client,
        });
        return { kind: 'session', session };
      } catch (error) {
        const taken =
          isUniqueViolation(error) ||
          (error instanceof ProblemError && error.problem.status === 409);
        if (taken && !raced) {
          return this.signInOnce(google, brand, client, true);
        }
        throw error;
      }
    }
    if (sameEmail.googleSubject) {
      throw ProblemError.conflict(
        'The account with this email is linked to a different Google account. Log in with that one, or with email and password.',
      );
    }
    if (!(await userRows.linkGoogle(this.dataSource, sameEmail.id, google.subject))) {
      if (raced) {
        throw ProblemError.conflict('This account was just linked to a Google account. Try again.');
      }
      return this.signInOnce(google, brand, client, true);
    }
    sameEmail.googleSubject = google.subject;
    return this.admit(sameEmail, client);
  }

  private async admit(user: UserEntity, client: LoginClient): Promise<LoginResult> {
    return this.logins.admit(
      user,
      client,
      await this.history.isTrustedDevice(user.id, client.deviceKey),
    );
  }
}
