import { createHash } from 'node:crypto';
import type { Clock } from '@fluxnote/clock';
import { ProblemError } from '@fluxnote/contracts';
import type { Currency } from '../money/money';
import {
  PaymentProcessor,
  type ChargeInput,
  type ChargeOutcome,
  type RefundInput,
  type RefundOutcome,
  type RefundStatus,
  type SetupInput,
  type SetupOutcome,
  type SetupStarted,
} from './payment-processor';

/** The payment methods the simulator knows, Stripe-test-card style. */
export const simulatedMethods = {
  card: 'sim_card',
  upi: 'sim_upi',
  declined: 'sim_card_declined',
  refundFails: 'sim_card_refund_fails',
} as const;

/**
 * The method types the plan list names (`paymentMethods: ["card", "upi"]`) are also what a client
 * of the simulator sends: `card` pays like `sim_card`, `upi` like `sim_upi`. (On Stripe the client
 * sends the PaymentMethod id it collected for that type.)
 */
const methodTypes: Readonly<Record<string, string>> = {
  card: simulatedMethods.card,
  upi: simulatedMethods.upi,
};

function digest(key: string): string {
  return createHash('sha256').update(key).digest('hex').slice(0, 24);
}

/**
 * SIMULATED payment processor for embedded mode (never in production): no money
 * moves. Deterministic and stateless — a reference is a hash of the idempotency
 * key, so the same call answers the same way after a restart. `sim_card_declined`
 * is declined; refunds of charges paid with `sim_card_refund_fails` fail; other
 * refunds are pending until `settleSeconds` of platform time have passed, like a
 * card refund taking days.
 */
export class SimulatedPaymentProcessor extends PaymentProcessor {
  readonly name = 'simulated';

  constructor(
    private readonly clock: Clock,
    private readonly settleSeconds: number,
  ) {
    super();
  }

  charge(input: ChargeInput): Promise<ChargeOutcome> {
    const method = methodTypes[input.paymentMethod] ?? input.paymentMethod;
    if (!Object.values(simulatedMethods).includes(method as never)) {
      throw ProblemError.badRequest(
        `The simulated processor knows the payment methods ${[...Object.keys(methodTypes), ...Object.values(simulatedMethods)].join(', ')}.`,
        { field: 'paymentMethod' },
      );
    }
    if (method === simulatedMethods.upi && input.amount.currency !== 'INR') {
      throw ProblemError.badRequest('UPI pays INR prices only.', { field: 'paymentMethod' });
    }
    if (method === simulatedMethods.declined) {
      return Promise.resolve({ status: 'declined', reason: 'card_declined' });
    }
    const failsRefunds = method === simulatedMethods.refundFails ? 'rf_' : '';
    return Promise.resolve({
      status: 'succeeded',
      reference: `sim_ch_${failsRefunds}${digest(input.idempotencyKey)}`,
      methodKind: method === simulatedMethods.upi ? 'upi' : 'card',
    });
  }

  refund(input: RefundInput): Promise<RefundOutcome> {
    const fails = input.chargeReference.startsWith('sim_ch_rf_') ? 'f' : 's';
    const at = this.clock.now().getTime();
    return Promise.resolve({
      status: 'pending',
      reference: `sim_re_${fails}_${at}_${digest(input.idempotencyKey)}`,
    });
  }

  /**
   * A setup completes at once with the test card (no bank to ask): its reference names the user, so
   * only they can save it.
   */
  startSetup(input: SetupInput): Promise<SetupStarted> {
    const reference = `sim_seti_${digest(input.userId)}_${digest(input.idempotencyKey)}`;
    return Promise.resolve({ reference, clientSecret: `${reference}_secret`, status: 'succeeded' });
  }

  setupOutcome(userId: string, reference: string): Promise<SetupOutcome> {
    if (!reference.startsWith(`sim_seti_${digest(userId)}_`)) {
      throw ProblemError.notFound('There is no card setup with this id.');
    }
    return Promise.resolve({
      status: 'succeeded',
      paymentMethod: simulatedMethods.card,
      methodKind: 'card',
    });
  }

  defaultPaymentMethod(currency: Currency): string {
    return currency === 'INR' ? simulatedMethods.upi : simulatedMethods.card;
  }

  refundStatus(reference: string): Promise<RefundStatus> {
    const [, , outcome, at] = reference.split('_');
    const createdAt = Number(at);
    if (!Number.isFinite(createdAt)) {
      return Promise.resolve('failed');
    }
    if (this.clock.now().getTime() - createdAt < this.settleSeconds * 1000) {
      return Promise.resolve('pending');
    }
    return Promise.resolve(outcome === 'f' ? 'failed' : 'succeeded');
  }
}
