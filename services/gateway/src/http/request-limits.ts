import { Inject, Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { RateLimits, withRateOverrides } from '@fluxnote/platform';
import { GATEWAY_CONFIG, type GatewayConfig } from '../config/gateway.config';
import {
  gatewayRatePolicies,
  rateCharges,
  type GatewayRatePolicies,
  type LimitedAction,
  type RequestFacts,
} from './rate-limit-policy';

/** The gateway's rate limits (`rate-limit-policy.ts`), counted in its schema for every replica. */
@Injectable()
export class RequestLimits {
  private readonly limits: RateLimits;
  private readonly policies: GatewayRatePolicies;

  constructor(dataSource: DataSource, @Inject(GATEWAY_CONFIG) config: GatewayConfig) {
    this.limits = RateLimits.onDataSource(dataSource, 'gateway');
    this.policies = withRateOverrides(gatewayRatePolicies, config.RATE_LIMITS);
  }

  /** Counts one `action`; 429 with Retry-After when a counter it takes from is spent. */
  take(action: LimitedAction, facts: RequestFacts): Promise<void> {
    return this.limits.take(rateCharges(action, facts, this.policies));
  }
}
