import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { ProblemError } from '@fluxnote/contracts';
import type { Currency } from '../money/money';
import { lockAccount, readAccount, saveAccount } from '../subscriptions/billing-account.repository';
import { mandateTerms } from './mandate-terms';
import { PaymentProcessor, type SetupStarted } from './payment-processor';

export interface SavedPaymentMethod {
  paymentMethod: string;
  methodKind: string;
  /** The e-mandate it is charged under (INR cards), when there is one. */
  mandate: string | null;
}

/**
 * Saving a card with its holder present, so renewals can charge it later without them: the
 * client starts a setup here, confirms it with the processor's SDK (3-D Secure, and an Indian
 * e-mandate for INR, happen then), and saves the completed setup as the account's method.
 */
@Injectable()
export class PaymentMethodService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly processor: PaymentProcessor,
  ) {}

  async startSetup(
    userId: string,
    request: { currency?: Currency; idempotencyKey: string },
  ): Promise<SetupStarted> {
    const account = await readAccount(this.dataSource.manager, userId);
    // A paid term renews in its own currency; before one, the price list of the caller's country.
    const currency = account.termEnd ? account.currency : (request.currency ?? account.currency);
    return this.processor.startSetup({
      idempotencyKey: `setup:${userId}:${request.idempotencyKey}`,
      userId,
      currency,
      mandate: mandateTerms(account.brand, currency, userId),
    });
  }

  /** Makes a completed setup the method renewals and purchases charge from now on. */
  async save(userId: string, setupReference: string): Promise<SavedPaymentMethod> {
    const outcome = await this.processor.setupOutcome(userId, setupReference);
    if (outcome.status !== 'succeeded') {
      throw ProblemError.conflict(
        `This card setup is not complete (${outcome.state}): confirm it in the app first, then save it again.`,
        { setupId: setupReference },
      );
    }
    await this.dataSource.transaction(async (manager) => {
      const account = await lockAccount(manager, userId);
      account.paymentMethod = outcome.paymentMethod;
      account.paymentMandate = outcome.mandate ?? null;
      await saveAccount(manager, account);
    });
    return {
      paymentMethod: outcome.paymentMethod,
      methodKind: outcome.methodKind,
      mandate: outcome.mandate ?? null,
    };
  }
}
