import { Body, Controller, Headers, Res, UseGuards } from '@nestjs/common';
import type { Response } from 'express';
import { randomUUID } from 'node:crypto';
import type { billingPaymentsV1 } from '@fluxnote/contracts';
import { AuthGuard, CurrentCaller } from '../auth/auth.guard';
import type { Caller } from '../auth/token-verifier';
import { ServiceClients } from '../clients/service-clients';
import { validate } from '../http/validate';
import { IdempotencyService } from '../idempotency/idempotency.service';
import { Endpoint } from '../api/endpoint';
import {
  billingOperations as api,
  packBody,
  paymentMethodSetupBody,
  refundBody,
  savePaymentMethodBody,
  subscriptionBody,
  type ChargeView,
  type RefundView,
  type SavedPaymentMethodView,
  type SubscriptionView,
} from './billing.api';

/** Optional fields travel as empty strings over gRPC; the HTTP views leave them out. */
function subscriptionView(s: billingPaymentsV1.Subscription): SubscriptionView {
  return {
    plan: s.plan,
    interval: s.interval as SubscriptionView['interval'],
    currency: s.currency,
    status: s.status,
    periodStart: s.periodStart,
    periodEnd: s.periodEnd,
    pendingChange: s.pendingChange ?? null,
    paymentMethod: s.paymentMethod || null,
  };
}

function chargeView(c: billingPaymentsV1.Charge): ChargeView {
  return {
    id: c.id,
    kind: c.kind as ChargeView['kind'],
    plan: c.plan || null,
    interval: c.interval || null,
    pack: c.pack || null,
    amount: c.amount,
    status: c.status as ChargeView['status'],
    failureReason: c.failureReason || null,
    paymentMethod: c.paymentMethod || null,
    periodStart: c.periodStart || null,
    periodEnd: c.periodEnd || null,
    createdAt: c.createdAt,
  };
}

function refundView(r: billingPaymentsV1.Refund): RefundView {
  return {
    id: r.id,
    chargeId: r.chargeId,
    decision: r.decision as RefundView['decision'],
    status: r.status as RefundView['status'],
    amount: r.amount,
    rule: r.rule,
    explanation: r.explanation,
    source: r.source as RefundView['source'],
    createdAt: r.createdAt,
    settledAt: r.settledAt || null,
  };
}

/** Plans, subscription, credit packs, charges and refunds (API.md, Billing). Money is `{amount, currency}` in minor units. */
@UseGuards(AuthGuard)
@Controller()
export class BillingController {
  constructor(
    private readonly clients: ServiceClients,
    private readonly idempotency: IdempotencyService,
  ) {}

  /**
   * `paymentMethods` are the method types a client may pay with here, and what it sends as
   * `paymentMethod` on the simulator (on Stripe, the PaymentMethod id it collected of that type).
   */
  @Endpoint(api.plans)
  async plans(@CurrentCaller() caller: Caller): Promise<billingPaymentsV1.PlanCatalog> {
    return this.clients.subscriptions.listPlans({
      brand: caller.brand,
      country: caller.country ?? '',
      currency: '',
    });
  }

  @Endpoint(api.getSubscription)
  async subscription(@CurrentCaller() caller: Caller): Promise<SubscriptionView> {
    return subscriptionView(
      await this.clients.subscriptions.getSubscription({ userId: caller.id }),
    );
  }

  @Endpoint(api.changeSubscription)
  async changeSubscription(
    @CurrentCaller() caller: Caller,
    @Body() body: unknown,
    @Headers('idempotency-key') idempotencyKey: string | undefined,
    @Res({ passthrough: true }) response: Response,
  ): Promise<unknown> {
    const input = validate(subscriptionBody, body);
    return this.once(
      caller,
      idempotencyKey,
      'POST /v1/billing/subscription',
      input,
      response,
      async (key) => {
        const change = await this.clients.subscriptions.changeSubscription({
          userId: caller.id,
          plan: input.plan,
          interval: input.interval,
          currency: input.currency ?? '',
          country: caller.country ?? '',
          paymentMethod: input.paymentMethod ?? '',
          idempotencyKey: key,
        });
        return {
          status: 200,
          body: {
            subscription: subscriptionView(change.subscription!),
            charge: change.charge ? chargeView(change.charge) : null,
          },
        };
      },
    );
  }

  @Endpoint(api.cancelSubscription)
  async cancelSubscription(@CurrentCaller() caller: Caller): Promise<SubscriptionView> {
    return subscriptionView(
      await this.clients.subscriptions.cancelSubscription({ userId: caller.id }),
    );
  }

  @Endpoint(api.buyCreditPack)
  async buyPack(
    @CurrentCaller() caller: Caller,
    @Body() body: unknown,
    @Headers('idempotency-key') idempotencyKey: string | undefined,
    @Res({ passthrough: true }) response: Response,
  ): Promise<unknown> {
    const input = validate(packBody, body);
    return this.once(
      caller,
      idempotencyKey,
      'POST /v1/billing/credit-packs',
      input,
      response,
      async (key) => {
        const charge = await this.clients.subscriptions.buyCreditPack({
          userId: caller.id,
          pack: input.pack,
          paymentMethod: input.paymentMethod ?? '',
          country: caller.country ?? '',
          idempotencyKey: key,
        });
        return { status: 201, body: chargeView(charge) };
      },
    );
  }

  @Endpoint(api.startPaymentMethodSetup)
  async startPaymentMethodSetup(
    @CurrentCaller() caller: Caller,
    @Body() body: unknown,
    @Headers('idempotency-key') idempotencyKey: string | undefined,
    @Res({ passthrough: true }) response: Response,
  ): Promise<unknown> {
    const input = validate(paymentMethodSetupBody, body ?? {});
    return this.once(
      caller,
      idempotencyKey,
      'POST /v1/billing/payment-methods/setup',
      input,
      response,
      async (key) => {
        const setup = await this.clients.paymentMethods.startPaymentMethodSetup({
          userId: caller.id,
          currency: input.currency ?? '',
          idempotencyKey: key,
        });
        return { status: 201, body: setup };
      },
    );
  }

  @Endpoint(api.savePaymentMethod)
  async savePaymentMethod(
    @CurrentCaller() caller: Caller,
    @Body() body: unknown,
  ): Promise<SavedPaymentMethodView> {
    const input = validate(savePaymentMethodBody, body);
    const saved = await this.clients.paymentMethods.savePaymentMethod({
      userId: caller.id,
      setupId: input.setupId,
    });
    return { paymentMethod: saved.paymentMethod, kind: saved.kind, mandate: saved.mandate || null };
  }

  @Endpoint(api.listCharges)
  async charges(@CurrentCaller() caller: Caller): Promise<{ items: ChargeView[] }> {
    const list = await this.clients.charges.listCharges({ userId: caller.id });
    return { items: list.charges.map(chargeView) };
  }

  @Endpoint(api.quoteRefund)
  async quoteRefund(
    @CurrentCaller() caller: Caller,
    @Body() body: unknown,
  ): Promise<billingPaymentsV1.RefundDecision> {
    const input = validate(refundBody, body);
    return this.clients.refunds.quoteRefund({
      userId: caller.id,
      chargeId: input.chargeId,
      reason: input.reason,
      kind: input.kind ?? '',
      idempotencyKey: '',
    });
  }

  @Endpoint(api.requestRefund)
  async requestRefund(
    @CurrentCaller() caller: Caller,
    @Body() body: unknown,
    @Headers('idempotency-key') idempotencyKey: string | undefined,
    @Res({ passthrough: true }) response: Response,
  ): Promise<unknown> {
    const input = validate(refundBody, body);
    return this.once(
      caller,
      idempotencyKey,
      'POST /v1/billing/refunds',
      input,
      response,
      async (key) => {
        const refund = await this.clients.refunds.requestRefund({
          userId: caller.id,
          chargeId: input.chargeId,
          reason: input.reason,
          kind: input.kind ?? '',
          idempotencyKey: key,
        });
        return { status: 201, body: refundView(refund) };
      },
    );
  }

  @Endpoint(api.listRefunds)
  async refunds(@CurrentCaller() caller: Caller): Promise<{ items: RefundView[] }> {
    const list = await this.clients.refunds.listRefunds({ userId: caller.id });
    return { items: list.refunds.map(refundView) };
  }

  /**
   * Runs a money-moving call once per Idempotency-Key (replayed from the gateway's
   * record); billing receives the same key, so even a retry that reaches it pays once.
   */
  private async once(
    caller: Caller,
    idempotencyKey: string | undefined,
    route: string,
    input: unknown,
    response: Response,
    execute: (key: string) => Promise<{ status: number; body: unknown }>,
  ): Promise<unknown> {
    const result = await this.idempotency.run(caller.id, idempotencyKey, { route, input }, () =>
      execute(idempotencyKey ?? randomUUID()),
    );
    response.status(result.status);
    return result.body;
  }
}
