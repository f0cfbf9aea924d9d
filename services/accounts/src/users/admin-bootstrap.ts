import { Inject, Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { ACCOUNTS_CONFIG, type AccountsConfig } from '../config/accounts.config';
import { IdentityService } from './identity.service';

/** The first admin comes from ADMIN_EMAIL and ADMIN_PASSWORD. */
@Injectable()
export class AdminBootstrap implements OnApplicationBootstrap {
  constructor(
    private readonly identity: IdentityService,
    @Inject(ACCOUNTS_CONFIG) private readonly config: AccountsConfig,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const { ADMIN_EMAIL: email, ADMIN_PASSWORD: password } = this.config;
    if (email && password) {
      await this.identity.ensureAdmin(email, password);
      new Logger('Accounts').log(`admin account ${email} is ready`);
    }
  }
}
