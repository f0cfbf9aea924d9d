import type { DataSource } from 'typeorm';
import type { Clock } from '@fluxnote/clock';
import { Outbox } from '@fluxnote/messaging';
import type { AccountsConfig } from '../config/accounts.config';
import { ActionTokens } from '../security/action-tokens';
import { LoginHistory } from '../security/login-history';
import { LoginService } from '../security/login.service';
import { LoginThrottle } from '../security/login-throttle';
import { RecoveryService } from '../security/recovery.service';
import { Sessions } from '../sessions/sessions';
import { TokenIssuer } from '../tokens/token-issuer';
import { AccountStatus } from '../users/account-status';
import { IdentityService } from '../users/identity.service';
import { DeletionService } from '../deletion/deletion.service';
import { PasswordHasher } from '../users/password-hasher';
import { StaffActionsService } from '../users/staff-actions.service';

/** Accounts' services wired by hand, as `AccountsModule` wires them, for integration tests. */
export async function accountsServices(
  dataSource: DataSource,
  clock: Clock,
  config: AccountsConfig,
): Promise<{
  identity: IdentityService;
  logins: LoginService;
  recovery: RecoveryService;
  sessions: Sessions;
  history: LoginHistory;
  status: AccountStatus;
  staff: StaffActionsService;
  deletions: DeletionService;
}> {
  const outbox = new Outbox('accounts', 'accounts');
  const issuer = new TokenIssuer(dataSource, clock, config);
  await issuer.onModuleInit();
  const hasher = new PasswordHasher(config);
  const sessions = new Sessions(dataSource, issuer, clock, config);
  const history = new LoginHistory(dataSource, clock);
  const throttle = new LoginThrottle(dataSource, clock);
  const tokens = new ActionTokens(clock);
  const status = new AccountStatus(sessions, outbox, clock);
  return {
    identity: new IdentityService(dataSource, hasher, sessions, history, outbox),
    logins: new LoginService(
      dataSource,
      hasher,
      sessions,
      history,
      throttle,
      tokens,
      outbox,
      clock,
    ),
    recovery: new RecoveryService(
      dataSource,
      hasher,
      status,
      history,
      throttle,
      tokens,
      outbox,
      clock,
    ),
    sessions,
    history,
    status,
    staff: new StaffActionsService(dataSource, status, outbox, clock),
    deletions: new DeletionService(dataSource, status, outbox, clock),
  };
}
