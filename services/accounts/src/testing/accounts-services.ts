import type { DataSource } from 'typeorm';
import { openServiceDatabase } from '@fluxnote/persistence';
import { createTestDatabase, type TestDatabase } from '@fluxnote/testing';
import { accountsDatabase } from '../accounts.database';
import type { Clock } from '@fluxnote/clock';
import { Outbox } from '@fluxnote/messaging';
import { generateSealingKeyPair, SecretOpener, SecretSealer } from '@fluxnote/platform';
import { accountsConfigSchema, type AccountsConfig } from '../config/accounts.config';
import { ActionTokens } from '../security/action-tokens';
import { CodeSendLimits } from '../security/code-send-limits';
import { GoogleIdTokens } from '../security/google-id-tokens';
import { GoogleSignInService } from '../security/google-sign-in.service';
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
  google: GoogleSignInService;
  recovery: RecoveryService;
  sessions: Sessions;
  history: LoginHistory;
  status: AccountStatus;
  staff: StaffActionsService;
  deletions: DeletionService;
}> {
  const outbox = new Outbox('accounts', 'accounts');
  const sealer = await SecretSealer.fromPublicKey(config.NOTIFICATIONS_SEALING_PUBLIC_KEY);
  const issuer = new TokenIssuer(dataSource, clock, config);
  await issuer.onModuleInit();
  const hasher = new PasswordHasher(config);
  const sessions = new Sessions(dataSource, issuer, clock, config);
  const history = new LoginHistory(dataSource, clock);
  const throttle = new LoginThrottle(dataSource, clock);
  const tokens = new ActionTokens(clock);
  const status = new AccountStatus(sessions, outbox, clock);
  const identity = new IdentityService(dataSource, hasher, sessions, history, outbox);
  const logins = new LoginService(
    dataSource,
    hasher,
    sessions,
    history,
    throttle,
    tokens,
    outbox,
    clock,
    sealer,
    new CodeSendLimits(dataSource, config),
  );
  return {
    identity,
    logins,
    google: new GoogleSignInService(
      dataSource,
      new GoogleIdTokens(clock, config),
      identity,
      history,
      logins,
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
      sealer,
    ),
    sessions,
    history,
    status,
    staff: new StaffActionsService(dataSource, status, outbox, clock),
    deletions: new DeletionService(dataSource, status, outbox, clock),
  };
}

export type AccountsServices = Awaited<ReturnType<typeof accountsServices>>;

let sealingKeys: Promise<{ publicKey: string; privateKey: string }> | undefined;

/** One sealing key pair for this test process: accounts seals with it, `opener` opens what it sealed. */
function testSealingKeys(): Promise<{ publicKey: string; privateKey: string }> {
  sealingKeys ??= generateSealingKeyPair();
  return sealingKeys;
}

/** Accounts' settings for a test: these, the cheap argon2 cost, and this process's sealing key. */
export async function testAccountsConfig(
  settings: Record<string, string>,
): Promise<AccountsConfig> {
  return accountsConfigSchema.parse({
    ARGON2_MEMORY_KIB: '8192',
    ARGON2_TIME_COST: '1',
    NOTIFICATIONS_SEALING_PUBLIC_KEY: (await testSealingKeys()).publicKey,
    ...settings,
  });
}

/** Opens what accounts sealed in a test, as notifications would. */
export async function testSecretOpener(): Promise<SecretOpener> {
  return SecretOpener.fromPrivateKeys([(await testSealingKeys()).privateKey]);
}

/** A fresh migrated accounts database with the services wired on it (cheap argon2 for speed). */
export async function openAccountsTestbed(
  prefix: string,
  clock: Clock,
  settings: Record<string, string> = {},
): Promise<{ dataSource: DataSource; services: AccountsServices; close: () => Promise<void> }> {
  const db: TestDatabase = await createTestDatabase(prefix);
  const dataSource = await openServiceDatabase({
    url: db.url,
    schema: 'accounts',
    entities: accountsDatabase.entities,
    migrations: accountsDatabase.migrations,
  });
  const config = await testAccountsConfig({ DATABASE_URL: db.url, ...settings });
  return {
    dataSource,
    services: await accountsServices(dataSource, clock, config),
    close: async () => {
      await dataSource.destroy();
      await db.drop();
    },
  };
}
