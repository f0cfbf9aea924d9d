import { Controller, UseInterceptors } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { billingPaymentsV1 as v1, ProblemError } from '@fluxnote/contracts';
import { AccountStanding } from '@fluxnote/platform';
import type { Charge } from './charges/charge.service';
import { ChargeService } from './charges/charge.service';
import { isCurrency, type Money } from './money/money';
import {
  currencyForCountry,
  isBrand,
  packsFor,
  planPrice,
  plansFor,
  type Interval,
} from './plans/plan-catalog';
import { refundKinds, type RefundDecision, type RefundKind } from './refunds/refund-policy';
import { PaymentMethodService } from './payments/payment-methods.service';
import { PaymentProcessor } from './payments/payment-processor';
import { StripeWebhooks } from './payments/stripe-webhooks';
import { RefundService, type Refund } from './refunds/refund.service';
import { SubscriptionService, type SubscriptionView } from './subscriptions/subscription.service';
import { OpenAccountOnFirstSight } from './subscriptions/account-opener';

const iso = (d: Date | null): string => (d ? d.toISOString() : '');
const moneyOut = (m: Money): v1.Money => ({ amount: m.amount, currency: m.currency });

function subscriptionOut(s: SubscriptionView): v1.Subscription {
  return {
    plan: s.plan,
    interval: s.interval,
    currency: s.currency,
    status: s.status,
    periodStart: iso(s.periodStart),
    periodEnd: iso(s.periodEnd),
    pendingChange: s.pendingChange
      ? {
          plan: s.pendingChange.plan,
          interval: s.pendingChange.interval,
          effectiveAt: iso(s.pendingChange.effectiveAt),
        }
      : undefined,
    paymentMethod: s.paymentMethod ?? '',
  };
}

function chargeOut(c: Charge): v1.Charge {
  return {
    id: c.id,
    kind: c.kind,
    plan: c.plan ?? '',
    interval: c.interval ?? '',
    pack: c.pack ?? '',
    amount: moneyOut(c.amount),
    status: c.status,
    failureReason: c.failureReason ?? '',
    paymentMethod: c.paymentMethod ?? '',
    periodStart: iso(c.periodStart),
    periodEnd: iso(c.periodEnd),
    createdAt: iso(c.createdAt),
  };
}

function decisionOut(d: RefundDecision): v1.RefundDecision {
  return {
    decision: d.decision,
    amount: moneyOut(d.amount),
    rule: d.rule,
    explanation: d.explanation,
  };
}

function refundOut(r: Refund): v1.Refund {
  return {
    id: r.id,
    chargeId: r.chargeId,
    decision: r.decision,
    status: r.status,
    amount: moneyOut(r.amount),
    rule: r.rule,
    explanation: r.explanation,
    source: r.source,
    createdAt: iso(r.createdAt),
    settledAt: iso(r.settledAt),
  };
}

function interval(value: string): Interval {
  if (value === '' || value === 'month') {
    return 'month';
  }
  if (value === 'year') {
    return 'year';
  }
  throw ProblemError.badRequest('interval is "month" or "year".', { field: 'interval' });
}

function refundKind(value: string): RefundKind | undefined {
  if (value === '') {
    return undefined;
  }
  if (!(refundKinds as readonly string[]).includes(value)) {
    throw ProblemError.badRequest(`kind is one of ${refundKinds.join(', ')}.`, { field: 'kind' });
  }
  return value as RefundKind;
}

/** Every call that charges or refunds carries the caller's key, so a retry never pays twice. */
function key(value: string): string {
  if (value.length === 0 || value.length > 255) {
    throw ProblemError.badRequest('idempotency_key is required (1 to 255 characters).', {
      field: 'idempotencyKey',
    });
  }
  return value;
}

function currency(value: string): 'USD' | 'INR' | undefined {
  if (value === '') {
    return undefined;
  }
  if (!isCurrency(value)) {
    throw ProblemError.badRequest('currency is USD or INR.', { field: 'currency' });
  }
  return value;
}

@Controller()
@UseInterceptors(OpenAccountOnFirstSight)
@v1.PaymentsServiceControllerMethods()
export class PaymentsGrpcController implements v1.PaymentsServiceController {
  constructor(
    private readonly dataSource: DataSource,
    private readonly subscriptions: SubscriptionService,
    private readonly charges: ChargeService,
    private readonly refunds: RefundService,
    private readonly webhooks: StripeWebhooks,
    private readonly standing: AccountStanding,
    private readonly paymentMethods: PaymentMethodService,
    private readonly processor: PaymentProcessor,
  ) {}

  listPlans(request: v1.ListPlansRequest): v1.PlanCatalog {
    const brand = isBrand(request.brand) ? request.brand : 'fluxnote';
    const cur = currency(request.currency) ?? currencyForCountry(request.country);
    return {
      brand,
      currency: cur,
      plans: plansFor(brand).map((p) => ({
        id: p.id,
        name: p.name,
        videoCredits: p.videoCredits,
        imageCredits: p.imageCredits,
        monthly: moneyOut(planPrice(p, cur, 'month')),
        annual: moneyOut(planPrice(p, cur, 'year')),
        annualPerMonth: { amount: p.prices[cur].annualPerMonth, currency: cur },
      })),
      packs: packsFor(brand).map((p) => ({
        id: p.id,
        name: p.name,
        videoCredits: p.videoCredits,
        imageCredits: p.imageCredits,
        price: { amount: p.prices[cur], currency: cur },
      })),
      paymentMethods: cur === 'INR' ? ['card', 'upi'] : ['card'],
    };
  }

  async getSubscription(request: v1.UserRef): Promise<v1.Subscription> {
    return subscriptionOut(await this.subscriptions.get(request.userId));
  }

  async changeSubscription(request: v1.ChangeSubscriptionRequest): Promise<v1.SubscriptionChange> {
    await this.standing.assertActive(request.userId, 'Plan changes');
    const result = await this.subscriptions.change(request.userId, {
      plan: request.plan,
      interval: interval(request.interval),
      currency: currency(request.currency),
      country: request.country || null,
      paymentMethod: request.paymentMethod || undefined,
      idempotencyKey: key(request.idempotencyKey),
    });
    return {
      subscription: subscriptionOut(result.subscription),
      charge: result.charge ? chargeOut(result.charge) : undefined,
    };
  }

  async cancelSubscription(request: v1.UserRef): Promise<v1.Subscription> {
    await this.standing.assertActive(request.userId, 'Plan changes');
    return subscriptionOut(await this.subscriptions.cancel(request.userId));
  }

  async buyCreditPack(request: v1.BuyCreditPackRequest): Promise<v1.Charge> {
    await this.standing.assertActive(request.userId, 'Purchases');
    return chargeOut(
      await this.subscriptions.buyPack(request.userId, {
        pack: request.pack,
        paymentMethod: request.paymentMethod || undefined,
        country: request.country || null,
        idempotencyKey: key(request.idempotencyKey),
      }),
    );
  }

  async listCharges(request: v1.UserRef): Promise<v1.ChargeList> {
    const list = await this.charges.list(this.dataSource.manager, request.userId);
    return { charges: list.map(chargeOut) };
  }

  async quoteRefund(request: v1.RefundRequest): Promise<v1.RefundDecision> {
    return decisionOut(
      await this.refunds.quote(request.userId, {
        chargeId: request.chargeId,
        reason: request.reason,
        kind: refundKind(request.kind),
      }),
    );
  }

  async requestRefund(request: v1.RefundRequest): Promise<v1.Refund> {
    await this.standing.assertActive(request.userId, 'Refund requests');
    return refundOut(
      await this.refunds.request(
        request.userId,
        { chargeId: request.chargeId, reason: request.reason, kind: refundKind(request.kind) },
        key(request.idempotencyKey),
      ),
    );
  }

  async listRefunds(request: v1.UserRef): Promise<v1.RefundList> {
    return { refunds: (await this.refunds.list(request.userId)).map(refundOut) };
  }

  async grantGoodwillRefund(request: v1.GoodwillRefundRequest): Promise<v1.Refund> {
    return refundOut(
      await this.refunds.goodwill(
        request.agentId,
        request.userId,
        { chargeId: request.chargeId, reason: request.reason, amount: request.amount },
        key(request.idempotencyKey),
      ),
    );
  }

  async startPaymentMethodSetup(
    request: v1.PaymentMethodSetupRequest,
  ): Promise<v1.PaymentMethodSetup> {
    await this.standing.assertActive(request.userId, 'Saving a payment method');
    const setup = await this.paymentMethods.startSetup(request.userId, {
      currency: currency(request.currency),
      idempotencyKey: key(request.idempotencyKey),
    });
    return {
      id: setup.reference,
      clientSecret: setup.clientSecret,
      processor: this.processor.name,
      status: setup.status,
    };
  }

  async savePaymentMethod(request: v1.SavePaymentMethodRequest): Promise<v1.SavedPaymentMethod> {
    await this.standing.assertActive(request.userId, 'Saving a payment method');
    if (request.setupId.length === 0 || request.setupId.length > 255) {
      throw ProblemError.badRequest('setupId is required (1 to 255 characters).', {
        field: 'setupId',
      });
    }
    const saved = await this.paymentMethods.save(request.userId, request.setupId);
    return {
      paymentMethod: saved.paymentMethod,
      kind: saved.methodKind,
      mandate: saved.mandate ?? '',
    };
  }

  async handleStripeWebhook(request: v1.StripeWebhook): Promise<v1.StripeWebhookResult> {
    const { outcome, event } = await this.webhooks.handle(
      Buffer.from(request.payload),
      request.signature,
    );
    return { eventId: event.id, type: event.type, outcome };
  }
}
