import type { ServiceDatabase } from '@fluxnote/platform';
import { InitialAccounts1763700000100 } from './migrations/1763700000100-initial-accounts';
import { LoginSecurity1764200000100 } from './migrations/1764200000100-login-security';
import { Standing1764200000200 } from './migrations/1764200000200-standing';
import { Deletions1764200000300 } from './migrations/1764200000300-deletions';
import { GoogleSignIn1764300000100 } from './migrations/1764300000100-google-sign-in';
import { SystemActions1764300000800 } from './migrations/1764300000800-system-actions';
import { AnonymousRevocations1764300000900 } from './migrations/1764300000900-anonymous-revocations';
import { SecretsOffTheBus1764500000100 } from './migrations/1764500000100-secrets-off-the-bus';
import { RateLimits1764500000200 } from './migrations/1764500000200-rate-limits';
import { RefreshTokenEntity } from './sessions/refresh-token.entity';
import { UserEntity } from './users/user.entity';

/** The accounts schema: its tables and the migrations that build them (used at start and by `main.js migrate`). */
export const accountsDatabase: ServiceDatabase = {
  service: 'accounts',
  entities: [UserEntity, RefreshTokenEntity],
  migrations: [
    InitialAccounts1763700000100,
    LoginSecurity1764200000100,
    Standing1764200000200,
    Deletions1764200000300,
    GoogleSignIn1764300000100,
    SystemActions1764300000800,
    AnonymousRevocations1764300000900,
    SecretsOffTheBus1764500000100,
    RateLimits1764500000200,
  ],
};
