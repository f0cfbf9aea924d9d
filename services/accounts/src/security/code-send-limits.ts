import { Inject, Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { RateLimits, withRateOverrides } from '@fluxnote/platform';
import { ACCOUNTS_CONFIG, type AccountsConfig } from '../config/accounts.config';
import { codeSendCharges, codeSendPolicies, type CodeSendPolicies } from './code-send-policy';

/** The limits on emailed log-in codes (`code-send-policy.ts`), counted in accounts' schema. */
@Injectable()
export class CodeSendLimits {
  private readonly limits: RateLimits;
  private readonly policies: CodeSendPolicies;

  constructor(dataSource: DataSource, @Inject(ACCOUNTS_CONFIG) config: AccountsConfig) {
    this.limits = RateLimits.onDataSource(dataSource, 'accounts');
    this.policies = withRateOverrides(
      codeSendPolicies,
      config.LOGIN_CODE_RATE_LIMITS,
      'LOGIN_CODE_RATE_LIMITS',
    );
  }

  /** Counts one code about to be sent; 429 with Retry-After when the account or address has had enough. */
  take(userId: string, address: string | null): Promise<void> {
    return this.limits.take(codeSendCharges(userId, address, this.policies));
  }
}
