import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import Stripe from 'stripe';

type Json = Record<string, unknown>;

interface PaymentIntent extends Json {
  id: string;
  amount: number;
  amount_received: number;
  currency: string;
  customer: string;
  payment_method: string;
  status: string;
  metadata: Record<string, string>;
  created: number;
}

interface SetupIntent extends Json {
  id: string;
  customer: string;
  client_secret: string;
  status: string;
  usage: string;
  payment_method: string | null;
  mandate: string | null;
  /** The e-mandate terms asked for (`payment_method_options[card][mandate_options]`), if any. */
  mandate_options: Record<string, string> | null;
}

interface Refund extends Json {
  id: string;
  amount: number;
  currency: string;
  payment_intent: string;
  status: string;
}

/** Stripe's test payment methods that fail, and how (`card_error` bodies). */
const cardErrors: Record<string, Json> = {
  pm_card_chargeDeclined: {
    code: 'card_declined',
    decline_code: 'generic_decline',
    message: 'Your card was declined.',
  },
  pm_card_authenticationRequired: {
    code: 'authentication_required',
    message: 'This payment requires authentication.',
  },
};

class StripeFailure extends Error {
  constructor(
    readonly status: number,
    readonly body: Json,
  ) {
    super(String(body['message']));
  }
}

/**
 * A local HTTP double of the Stripe endpoints billing calls (customers, payment
 * methods, payment intents, setup intents and mandates, refunds), speaking Stripe's wire format: form-encoded
 * requests, JSON objects, Stripe's error bodies, idempotent replays by
 * `Idempotency-Key`. Payment method ids decide what happens, like Stripe's test
 * cards: `pm_card_visa…` pays, `pm_card_chargeDeclined…` is declined,
 * `pm_card_authenticationRequired…` needs authentication, `pm_upi…` stays
 * processing; any other id does not exist. Refunds stay `pending` until the test
 * settles them. `down` answers every request with a 500.
 */
export class StripeDouble {
  readonly customers = new Map<string, Json>();
  readonly paymentMethods = new Map<string, Json>();
  readonly paymentIntents = new Map<string, PaymentIntent>();
  readonly refunds = new Map<string, Refund>();
  readonly setupIntents = new Map<string, SetupIntent>();
  readonly mandates = new Map<string, Json>();
  /** Every request: method, path, idempotency key and the form fields. */
  readonly requests: { method: string; path: string; key?: string; form: Json }[] = [];
  down = false;
  private readonly replays = new Map<string, { status: number; body: Json }>();
  private server?: Server;
  private counter = 0;
  private events = 0;

  /** `now` gives Stripe's clock in seconds (tests pass the platform clock). */
  constructor(private readonly now: () => number = () => Math.floor(Date.now() / 1000)) {}

  async start(): Promise<string> {
    this.server = createServer((req, res) => void this.serve(req, res));
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) =>
      this.server ? this.server.close(() => resolve()) : resolve(),
    );
  }

  /** Creates a payment intent as if a charge went through but its caller never heard back. */
  succeededIntent(fields: {
    amount: number;
    currency: string;
    metadata: Record<string, string>;
  }): PaymentIntent {
    return this.createIntent({
      ...fields,
      customer: 'cus_elsewhere',
      payment_method: 'pm_card_visa_x',
    });
  }

  /**
   * What Stripe.js does with the customer present (`confirmCardSetup`): the card is attached to the
   * setup's customer and the setup succeeds; when it asked for an e-mandate, one is registered,
   * `active` unless the bank refused it (`inactive`).
   */
  confirmSetup(
    id: string,
    paymentMethod: string,
    mandateStatus: 'active' | 'inactive' = 'active',
  ): SetupIntent {
    const setup = this.setupIntents.get(id);
    if (!setup) {
      throw new Error(`no setup intent ${id}`);
    }
    this.paymentMethod(paymentMethod)['customer'] = setup.customer;
    setup.payment_method = paymentMethod;
    setup.status = 'succeeded';
    if (setup.mandate_options) {
      const mandate = { id: this.id('mandate'), object: 'mandate', status: mandateStatus };
      this.mandates.set(mandate.id, mandate);
      setup.mandate = mandate.id;
    }
    return setup;
  }

  settleRefund(id: string, status: 'succeeded' | 'failed'): Refund {
    const refund = this.refunds.get(id);
    if (!refund) {
      throw new Error(`no refund ${id}`);
    }
    refund.status = status;
    return refund;
  }

  /** An event as Stripe sends it to a webhook endpoint, and its `Stripe-Signature` header. */
  webhook(
    type: string,
    object: Json,
    secret: string,
    id = `evt_${++this.events}`,
  ): { payload: string; signature: string } {
    // Not JSON.stringify's compact form: a receiver that re-serializes the body breaks the signature.
    const payload = JSON.stringify(
      {
        id,
        object: 'event',
        api_version: '2026-10-28',
        created: this.now(),
        livemode: false,
        type,
        data: { object },
      },
      null,
      2,
    );
    const signature = Stripe.webhooks.generateTestHeaderString({
      payload,
      secret,
      timestamp: this.now(),
    });
    return { payload, signature };
  }

  private async serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) {
      chunks.push(chunk as Buffer);
    }
    const url = new URL(req.url ?? '/', 'http://double');
    const form = Object.fromEntries(new URLSearchParams(Buffer.concat(chunks).toString('utf8')));
    const key = req.headers['idempotency-key'] as string | undefined;
    const method = req.method ?? 'GET';
    this.requests.push({ method, path: url.pathname, key, form });
    const replayKey = key ? `${method} ${url.pathname} ${key}` : undefined;
    let answer = replayKey ? this.replays.get(replayKey) : undefined;
    if (!answer) {
      if (this.down) {
        answer = { status: 500, body: { error: { type: 'api_error', message: 'down' } } };
      } else if (!String(req.headers.authorization ?? '').startsWith('Bearer sk_')) {
        answer = {
          status: 401,
          body: { error: { type: 'invalid_request_error', message: 'no key' } },
        };
      } else {
        try {
          answer = { status: 200, body: this.route(method, url.pathname, form) };
        } catch (error) {
          if (!(error instanceof StripeFailure)) {
            throw error;
          }
          answer = { status: error.status, body: { error: error.body } };
        }
        if (replayKey && answer.status < 500) {
          this.replays.set(replayKey, answer);
        }
      }
    }
    res.writeHead(answer.status, {
      'content-type': 'application/json',
      'request-id': `req_${++this.counter}`,
    });
    res.end(JSON.stringify(answer.body));
  }

  private route(method: string, path: string, form: Record<string, string>): Json {
    const parts = path.split('/').filter(Boolean); // v1, resource, id?, action?
    const [, resource, id, action] = parts;
    if (method === 'POST' && resource === 'customers' && !id) {
      const customer = { id: this.id('cus'), object: 'customer', metadata: this.metadata(form) };
      this.customers.set(customer.id, customer);
      return customer;
    }
    if (resource === 'payment_methods' && id) {
      const pm = this.paymentMethod(id);
      if (method === 'POST' && action === 'attach') {
        if (!this.customers.has(form['customer'] ?? '')) {
          throw this.missing('customer', form['customer']);
        }
        pm['customer'] = form['customer'];
      }
      return pm;
    }
    if (method === 'POST' && resource === 'payment_intents' && !id) {
      return this.confirm(form);
    }
    if (method === 'POST' && resource === 'payment_intents' && id && action === 'cancel') {
      const intent = this.paymentIntents.get(id);
      if (!intent) {
        throw this.missing('intent', id);
      }
      intent.status = 'canceled';
      return intent;
    }
    if (method === 'POST' && resource === 'setup_intents' && !id) {
      return this.setup(form);
    }
    if (method === 'GET' && resource === 'setup_intents' && id) {
      return this.setupIntents.get(id) ?? this.fail(this.missing('setup_intent', id));
    }
    if (method === 'GET' && resource === 'mandates' && id) {
      return this.mandates.get(id) ?? this.fail(this.missing('mandate', id));
    }
    if (method === 'POST' && resource === 'refunds' && !id) {
      return this.refund(form);
    }
    if (method === 'GET' && resource === 'refunds' && id) {
      const refund = this.refunds.get(id);
      if (!refund) {
        throw this.missing('id', id);
      }
      return refund;
    }
    throw new StripeFailure(404, {
      type: 'invalid_request_error',
      message: `Unrecognized request URL (${method}: ${path})`,
    });
  }

  private setup(form: Record<string, string>): SetupIntent {
    const customer = form['customer'] ?? '';
    if (!this.customers.has(customer)) {
      throw this.missing('customer', customer);
    }
    const prefix = 'payment_method_options[card][mandate_options]';
    const options = Object.entries(form).filter(([name]) => name.startsWith(prefix));
    const id = this.id('seti');
    const setup: SetupIntent = {
      id,
      object: 'setup_intent',
      customer,
      client_secret: `${id}_secret_${this.counter}`,
      status: 'requires_payment_method',
      usage: form['usage'] ?? 'off_session',
      payment_method: null,
      mandate: null,
      mandate_options:
        options.length > 0
          ? Object.fromEntries(options.map(([name, value]) => [name.slice(prefix.length), value]))
          : null,
      metadata: this.metadata(form),
    };
    this.setupIntents.set(id, setup);
    return setup;
  }

  private fail(failure: StripeFailure): never {
    throw failure;
  }

  private confirm(form: Record<string, string>): Json {
    const pmId = form['payment_method'] ?? '';
    const pm = this.paymentMethod(pmId);
    if (pm['customer'] !== form['customer']) {
      throw new StripeFailure(400, {
        type: 'invalid_request_error',
        param: 'payment_method',
        message: 'The payment method is not attached to this customer.',
      });
    }
    const intent = this.createIntent({
      amount: Number(form['amount']),
      currency: form['currency'] ?? '',
      customer: form['customer'] ?? '',
      payment_method: pmId,
      metadata: this.metadata(form),
      ...(form['mandate'] ? { mandate: form['mandate'] } : {}),
    });
    const cardError = Object.entries(cardErrors).find(([prefix]) => pmId.startsWith(prefix))?.[1];
    if (cardError) {
      intent.status = 'requires_payment_method';
      intent.amount_received = 0;
      throw new StripeFailure(402, { type: 'card_error', ...cardError, payment_intent: intent });
    }
    if (pmId.startsWith('pm_upi')) {
      intent.status = 'processing';
      intent.amount_received = 0;
    }
    return intent;
  }

  private createIntent(fields: {
    amount: number;
    currency: string;
    customer: string;
    payment_method: string;
    metadata: Record<string, string>;
    mandate?: string;
  }): PaymentIntent {
    const intent: PaymentIntent = {
      id: this.id('pi'),
      object: 'payment_intent',
      status: 'succeeded',
      amount_received: fields.amount,
      created: this.now(),
      ...fields,
    };
    this.paymentIntents.set(intent.id, intent);
    return intent;
  }

  private refund(form: Record<string, string>): Json {
    const intent = this.paymentIntents.get(form['payment_intent'] ?? '');
    if (!intent || intent.status !== 'succeeded') {
      throw this.missing('payment_intent', form['payment_intent']);
    }
    const refunded = [...this.refunds.values()]
      .filter((r) => r.payment_intent === intent.id && r.status !== 'failed')
      .reduce((sum, r) => sum + r.amount, 0);
    const amount = form['amount'] ? Number(form['amount']) : intent.amount - refunded;
    if (amount <= 0 || amount > intent.amount - refunded) {
      throw new StripeFailure(400, {
        type: 'invalid_request_error',
        param: 'amount',
        message: `Refund amount (${amount}) is greater than unrefunded amount on charge (${intent.amount - refunded})`,
      });
    }
    const refund: Refund = {
      id: this.id('re'),
      object: 'refund',
      amount,
      currency: intent.currency,
      payment_intent: intent.id,
      status: 'pending',
    };
    this.refunds.set(refund.id, refund);
    return refund;
  }

  private paymentMethod(id: string): Json {
    const known = this.paymentMethods.get(id);
    if (known) {
      return known;
    }
    const type = id.startsWith('pm_upi') ? 'upi' : id.startsWith('pm_card_') ? 'card' : null;
    if (!type) {
      throw this.missing('payment_method', id);
    }
    const pm = { id, object: 'payment_method', type, customer: null };
    this.paymentMethods.set(id, pm);
    return pm;
  }

  private metadata(form: Record<string, string>): Record<string, string> {
    const metadata: Record<string, string> = {};
    for (const [name, value] of Object.entries(form)) {
      const match = /^metadata\[(.+)\]$/.exec(name);
      if (match?.[1]) {
        metadata[match[1]] = value;
      }
    }
    return metadata;
  }

  private missing(param: string, id: string | undefined): StripeFailure {
    return new StripeFailure(404, {
      type: 'invalid_request_error',
      code: 'resource_missing',
      param,
      message: `No such ${param}: '${id ?? ''}'`,
    });
  }

  private id(prefix: string): string {
    return `${prefix}_${(++this.counter).toString(36).padStart(8, '0')}`;
  }
}
