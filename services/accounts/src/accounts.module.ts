import { Module, type DynamicModule } from '@nestjs/common';
import { SecretSealer, serviceInfrastructure } from '@fluxnote/platform';
import { accountsDatabase } from './accounts.database';
import { ACCOUNTS_CONFIG, type AccountsConfig } from './config/accounts.config';
import { ActionTokens } from './security/action-tokens';
import { CodeSendLimits } from './security/code-send-limits';
import { GoogleIdTokens } from './security/google-id-tokens';
import { GoogleSignInService } from './security/google-sign-in.service';
import { LoginHistory } from './security/login-history';
import { LoginService } from './security/login.service';
import { LoginThrottle } from './security/login-throttle';
import { RecoveryService } from './security/recovery.service';
import { Sessions } from './sessions/sessions';
import { AccountStatus } from './users/account-status';
import { DeletionSweep } from './deletion/deletion-sweep';
import { PurgeMetrics } from './deletion/purge-metrics';
import { DeletionEventsConsumer } from './deletion/deletion.events';
import { DeletionService } from './deletion/deletion.service';
import { JwksController } from './tokens/jwks.controller';
import { TokenIssuer } from './tokens/token-issuer';
import { AdminBootstrap } from './users/admin-bootstrap';
import { AccountDeletionGrpcController } from './deletion/deletion.grpc';
import { LoginsGrpcController } from './security/logins.grpc';
import { SessionsGrpcController } from './sessions/sessions.grpc';
import { StandingGrpcController } from './users/standing.grpc';
import { UsersGrpcController } from './users/users.grpc';
import { IdentityService } from './users/identity.service';
import { PasswordHasher } from './users/password-hasher';
import { StaffActionsService } from './users/staff-actions.service';

@Module({})
export class AccountsModule {
  static forRoot(config: AccountsConfig): DynamicModule {
    return {
      module: AccountsModule,
      imports: serviceInfrastructure({
        ...accountsDatabase,
        config,
      }),
      controllers: [
        UsersGrpcController,
        LoginsGrpcController,
        SessionsGrpcController,
        StandingGrpcController,
        AccountDeletionGrpcController,
        JwksController,
      ],
      providers: [
        { provide: ACCOUNTS_CONFIG, useValue: config },
        {
          provide: SecretSealer,
          useFactory: () => SecretSealer.fromPublicKey(config.NOTIFICATIONS_SEALING_PUBLIC_KEY),
        },
        PasswordHasher,
        TokenIssuer,
        Sessions,
        AccountStatus,
        LoginHistory,
        LoginThrottle,
        ActionTokens,
        CodeSendLimits,
        LoginService,
        GoogleIdTokens,
        GoogleSignInService,
        RecoveryService,
        IdentityService,
        StaffActionsService,
        DeletionService,
        DeletionEventsConsumer,
        DeletionSweep,
        PurgeMetrics,
        AdminBootstrap,
      ],
    };
  }
}
