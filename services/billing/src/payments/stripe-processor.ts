import Stripe from 'stripe';
import type { DataSource } from 'typeorm';
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
import { processorRows } from './processor-records.repository';

export interface StripeSettings {
  secretKey: string;
  /** Where the Stripe API is (tests point it at a local double); the real API when absent. */
  apiUrl?: string;
}

/** The official SDK, pointed at `apiUrl` through its host/port/protocol options when given. */
export function stripeClient(settings: StripeSettings): Stripe {
  const options: ConstructorParameters<typeof Stripe>[1] = {
    maxNetworkRetries: 2,
    timeout: 20_000,
    telemetry: false,
  };
  if (settings.apiUrl) {
    const url = new URL(settings.apiUrl);
    options.host = url.hostname;
    options.port = url.port || (url.protocol === 'https:' ? 443 : 80);
    options.protocol = url.protocol === 'https:' ? 'https' : 'http';
  }
  return new Stripe(settings.secretKey, options);
}

/** Stripe's refund states, in the port's three. */
export function refundStatusOf(status: string | null): RefundStatus {
  switch (status) {
    case 'succeeded':
      return 'succeeded';
    case 'failed':
    case 'canceled':
      return 'failed';
    default:
      return 'pending';
  }
}

/**
 * The Stripe adapter of the payment processor port. One Stripe customer per user
 * (kept in `billing.processor_customers`); a charge is a PaymentIntent confirmed
 * off-session on the payment method the user's client collected (a card, or UPI
 * for INR), carrying what it pays for as metadata so webhooks can reconcile it;
 * refunds go back to the intent's payment method. A card is saved for renewals through a
 * SetupIntent the client confirms with the customer present (3-D Secure; for INR, an e-mandate
 * with the plan prices' ceiling), and renewals then charge under its mandate. Every request that creates
 * something carries the platform's idempotency key, so a retry reaches the same
 * object at Stripe.
 */
export class StripePaymentProcessor extends PaymentProcessor {
  readonly name = 'stripe';

  constructor(
    private readonly stripe: Stripe,
    private readonly dataSource: DataSource,
    private readonly clock: Clock,
  ) {
    super();
  }

  async charge(input: ChargeInput): Promise<ChargeOutcome> {
    return this.translated(async () => {
      try {
        const customer = await this.customerOf(input.userId);
        const method = await this.attached(input.paymentMethod, customer);
        const intent = await this.stripe.paymentIntents.create(
          {
            amount: input.amount.amount,
            currency: input.amount.currency.toLowerCase(),
            customer,
            payment_method: method.id,
            allowed_payment_method_types: [method.type],
            confirm: true,
            // Charged without the user at hand (renewals, and a method saved by the client): a card that
            // needs authentication is declined with `authentication_required` instead of waiting.
            off_session: true,
            ...(input.mandate ? { mandate: input.mandate } : {}),
            description: input.description,
            metadata: input.labels,
          },
          { idempotencyKey: input.idempotencyKey },
        );
        return await this.outcomeOf(intent, input.idempotencyKey, method.type);
      } catch (error) {
        if (error instanceof Stripe.errors.StripeCardError) {
          return {
            status: 'declined',
            reason: error.decline_code || error.code || 'card_declined',
            ...(error.payment_intent?.id ? { reference: error.payment_intent.id } : {}),
          };
        }
        // The payment method the caller gave does not exist or cannot pay: their mistake, a 400.
        if (
          error instanceof Stripe.errors.StripeInvalidRequestError &&
          (error.code === 'resource_missing' || (error.param ?? '').includes('payment_method'))
        ) {
          throw ProblemError.badRequest(`The payment processor refused it: ${error.message}`, {
            field: 'paymentMethod',
          });
        }
        throw error;
      }
    });
  }

  async refund(input: RefundInput): Promise<RefundOutcome> {
    return this.translated(async () => {
      const refund = await this.stripe.refunds.create(
        { payment_intent: input.chargeReference, amount: input.amount.amount },
        { idempotencyKey: input.idempotencyKey },
      );
      return { status: refundStatusOf(refund.status), reference: refund.id };
    });
  }

  async refundStatus(reference: string): Promise<RefundStatus> {
    return this.translated(async () => {
      const refund = await this.stripe.refunds.retrieve(reference);
      return refundStatusOf(refund.status);
    });
  }

  async startSetup(input: SetupInput): Promise<SetupStarted> {
    return this.translated(async () => {
      const customer = await this.customerOf(input.userId);
      const mandate = input.mandate;
      const intent = await this.stripe.setupIntents.create(
        {
          customer,
          // Saved for charges made without the customer (renewals): the bank authenticates now.
          usage: 'off_session',
          allowed_payment_method_types: ['card'],
          metadata: { user_id: input.userId },
          ...(mandate
            ? {
                payment_method_options: {
                  card: {
                    mandate_options: {
                      amount: mandate.maxAmount.amount,
                      amount_type: 'maximum',
                      currency: mandate.maxAmount.currency.toLowerCase(),
                      interval: 'sporadic',
                      reference: mandate.reference,
                      description: mandate.description,
                      start_date: Math.floor(this.clock.now().getTime() / 1000),
                      supported_types: ['india'],
                    },
                  },
                },
              }
            : {}),
        },
        { idempotencyKey: input.idempotencyKey },
      );
      if (!intent.client_secret) {
        throw new Error(`Stripe returned setup intent ${intent.id} without a client secret`);
      }
      return { reference: intent.id, clientSecret: intent.client_secret, status: intent.status };
    });
  }

  async setupOutcome(userId: string, reference: string): Promise<SetupOutcome> {
    return this.translated(async () => {
      const notFound = ProblemError.notFound('There is no card setup with this id.');
      if (!reference.startsWith('seti_')) {
        throw notFound;
      }
      let intent: Stripe.SetupIntent;
      try {
        intent = await this.stripe.setupIntents.retrieve(reference);
      } catch (error) {
        if (error instanceof Stripe.errors.StripeInvalidRequestError) {
          throw notFound;
        }
        throw error;
      }
      const owner = typeof intent.customer === 'string' ? intent.customer : intent.customer?.id;
      if (!owner || owner !== (await this.customerOf(userId))) {
        throw notFound; // someone else's setup: not a thing this user can see
      }
      const methodId =
        typeof intent.payment_method === 'string'
          ? intent.payment_method
          : intent.payment_method?.id;
      if (intent.status !== 'succeeded' || !methodId) {
        return { status: 'incomplete', state: intent.status };
      }
      const mandateId = typeof intent.mandate === 'string' ? intent.mandate : intent.mandate?.id;
      if (mandateId) {
        // A mandate whose registration failed is returned too, inactive: charging under it fails.
        const mandate = await this.stripe.mandates.retrieve(mandateId);
        if (mandate.status === 'inactive') {
          return { status: 'incomplete', state: 'mandate_inactive' };
        }
      }
      const method = await this.stripe.paymentMethods.retrieve(methodId);
      return {
        status: 'succeeded',
        paymentMethod: method.id,
        methodKind: method.type,
        ...(mandateId ? { mandate: mandateId } : {}),
      };
    });
  }

  /** Stripe has no test card of ours: the client collects a payment method with Stripe.js first. */
  defaultPaymentMethod(_currency: Currency): null {
    return null;
  }

  private async outcomeOf(
    intent: Stripe.PaymentIntent,
    key: string,
    methodKind: string,
  ): Promise<ChargeOutcome> {
    switch (intent.status) {
      case 'succeeded':
        return { status: 'succeeded', reference: intent.id, methodKind };
      case 'processing':
        // An asynchronous method (UPI) still confirming: recorded as not paid; if Stripe completes it
        // later, the webhook finds a payment without a fulfilled charge and refunds it in full.
        return { status: 'declined', reason: 'payment_processing', reference: intent.id };
      default: {
        // requires_action, requires_payment_method, …: nothing was taken; the intent is cancelled so it
        // cannot be completed later.
        await this.stripe.paymentIntents.cancel(intent.id, {}, { idempotencyKey: `cancel:${key}` });
        return { status: 'declined', reason: intent.status, reference: intent.id };
      }
    }
  }

  /** The user's Stripe customer, created once (its key is the user id, and the id is kept). */
  private async customerOf(userId: string): Promise<string> {
    const known = await processorRows.customerOf(this.dataSource, userId, this.name);
    if (known) {
      return known;
    }
    const customer = await this.stripe.customers.create(
      { metadata: { user_id: userId } },
      { idempotencyKey: `customer:${userId}` },
    );
    return processorRows.keepCustomer(this.dataSource, {
      userId,
      processor: this.name,
      reference: customer.id,
      at: this.clock.now(),
    });
  }

  /** The payment method, attached to the user's customer; one belonging to someone else is refused. */
  private async attached(id: string, customer: string): Promise<Stripe.PaymentMethod> {
    const method = await this.stripe.paymentMethods.retrieve(id);
    const owner = typeof method.customer === 'string' ? method.customer : method.customer?.id;
    if (owner === customer) {
      return method;
    }
    if (owner) {
      throw ProblemError.badRequest('This payment method belongs to another customer.', {
        field: 'paymentMethod',
      });
    }
    return this.stripe.paymentMethods.attach(id, { customer });
  }

  /** Stripe being unreachable is a 503 (nothing happened; the same key may be sent again). */
  private async translated<T>(call: () => Promise<T>): Promise<T> {
    try {
      return await call();
    } catch (error) {
      if (
        error instanceof Stripe.errors.StripeConnectionError ||
        error instanceof Stripe.errors.StripeAPIError ||
        error instanceof Stripe.errors.StripeRateLimitError
      ) {
        throw ProblemError.unavailable(
          'The payment processor cannot be reached; nothing was charged or recorded. Try again shortly.',
        );
      }
      throw error;
    }
  }
}
