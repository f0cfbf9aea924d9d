import { Module, type DynamicModule } from '@nestjs/common';
import { serviceInfrastructure } from '@fluxnote/platform';
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
      imports: serviceInfrastructure({
        service: 'accounts',
        config,
        entities: [UserEntity, RefreshTokenEntity],
        migrations: [InitialAccounts1763700000100],
      }),
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
