import { Controller, UseInterceptors } from '@nestjs/common';
import { billingPaymentsV1 as v1 } from '@fluxnote/contracts';
import { AlsoServedAs } from '@fluxnote/grpc';
import { AccountStanding } from '@fluxnote/platform';
import {
  chargeOut,
  currency,
  interval,
  key,
  moneyOut,
  subscriptionOut,
} from '../payments/payment-messages';
import { currencyForCountry, isBrand, packsFor, planPrice, plansFor } from '../plans/plan-catalog';
import { OpenAccountOnFirstSight } from './account-opener';
import { SubscriptionService } from './subscription.service';

/** `SubscriptionsService`: the plan catalog, a user's subscription and its changes, credit packs. */
@Controller()
@UseInterceptors(OpenAccountOnFirstSight)
@AlsoServedAs(v1.PAYMENTS_SERVICE_NAME)
@v1.SubscriptionsServiceControllerMethods()
export class SubscriptionsGrpcController implements v1.SubscriptionsServiceController {
  constructor(
    private readonly subscriptions: SubscriptionService,
    private readonly standing: AccountStanding,
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
}
