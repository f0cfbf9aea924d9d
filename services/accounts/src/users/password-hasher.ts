import { Inject, Injectable } from '@nestjs/common';
import { Algorithm, hash, verify } from '@node-rs/argon2';
import { ACCOUNTS_CONFIG, type AccountsConfig } from '../config/accounts.config';

/** argon2id password hashes (parameters travel inside each hash, so they can be raised later). */
@Injectable()
export class PasswordHasher {
  /** A real hash to verify against when the account does not exist, so timing does not reveal it. */
  private decoy: Promise<string> | undefined;

  constructor(@Inject(ACCOUNTS_CONFIG) private readonly config: AccountsConfig) {}

  hash(password: string): Promise<string> {
    return hash(password, {
      algorithm: Algorithm.Argon2id,
      memoryCost: this.config.ARGON2_MEMORY_KIB,
      timeCost: this.config.ARGON2_TIME_COST,
      parallelism: 1,
    });
  }

  async verify(passwordHash: string | null, password: string): Promise<boolean> {
    if (passwordHash === null) {
      this.decoy ??= this.hash('decoy-password-for-timing');
      await verify(await this.decoy, password).catch(() => false);
      return false;
    }
    return verify(passwordHash, password).catch(() => false);
  }
}
