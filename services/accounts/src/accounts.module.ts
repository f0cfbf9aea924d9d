import { Module, type DynamicModule } from '@nestjs/common';
import { ClockModule } from '@fluxnote/clock';
import { isProduction } from '@fluxnote/config';
import { MessagingModule } from '@fluxnote/messaging';
import { DatabaseModule, databaseReady } from '@fluxnote/persistence';
import { ObservabilityModule } from '@fluxnote/telemetry';
import { ACCOUNTS_CONFIG, type AccountsConfig } from './config/accounts.config';
import { InitialAccounts1763700000100 } from './migrations/1763700000100-initial-accounts';
import { RefreshTokenEntity } from './sessions/refresh-token.entity';
import { JwksController } from './tokens/jwks.controller';
import { TokenIssuer } from './tokens/token-issuer';
import { AdminBootstrap } from './users/admin-bootstrap';
import { IdentityGrpcController } from './users/identity.grpc';
import { IdentityService } from './users/identity.service';
import { PasswordHasher } from './users/password-hasher';
import { UserEntity } from './users/user.entity';

@Module({})
export class AccountsModule {
  static forRoot(config: AccountsConfig): DynamicModule {
    return {
      module: AccountsModule,
      imports: [
        DatabaseModule.forService({
          url: config.DATABASE_URL,
          schema: 'accounts',
          entities: [UserEntity, RefreshTokenEntity],
          migrations: [InitialAccounts1763700000100],
        }),
        ClockModule.forRoot({ production: isProduction(config), databaseUrl: config.DATABASE_URL }),
        MessagingModule.forService({
          schema: 'accounts',
          source: 'fluxnote/accounts',
          databaseUrl: config.DATABASE_URL,
          kafkaBrokers: config.KAFKA_BROKERS,
          kafkaClientId: `${config.KAFKA_CLIENT_ID}-accounts`,
        }),
        ObservabilityModule.forRoot({
          service: 'accounts',
          checks: { database: databaseReady },
        }),
      ],
      controllers: [IdentityGrpcController, JwksController],
      providers: [
        { provide: ACCOUNTS_CONFIG, useValue: config },
        PasswordHasher,
        TokenIssuer,
        IdentityService,
        AdminBootstrap,
      ],
    };
  }
}
