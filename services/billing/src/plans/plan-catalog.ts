import { money, type Currency, type Money } from '../money/money';

/** Plans and credit packs per brand and currency, as data (SPEC §2). Prices are integer minor units. */
export const planIds = ['free', 'rise', 'pro', 'max'] as const;
export type PlanId = (typeof planIds)[number];
/** Every new user starts on Free. */
export const freePlanId: PlanId = 'free';
export const brands = ['fluxnote', 'flux-kontext'] as const;
export type Brand = (typeof brands)[number];
export type Interval = 'month' | 'year';

export interface PlanPrices {
  monthly: number;
  /** Per month, billed yearly (the annual charge is twelve of these). */
  annualPerMonth: number;
}

export interface Plan {
  id: PlanId;
  name: string;
  /** Order of the tiers: a higher rank is an upgrade. */
  rank: number;
  videoCredits: number;
  imageCredits: number;
  /** Jobs of this plan's users go to the generation queue's priority lane (SPEC §3: Max). */
  priorityLane: boolean;
  prices: Record<Currency, PlanPrices>;
}

export interface CreditPack {
  id: string;
  name: string;
  videoCredits: number;
  imageCredits: number;
  prices: Record<Currency, number>;
}

const tiers: Plan[] = [
  {
    id: 'free',
    name: 'Free',
    rank: 0,
    videoCredits: 1,
    imageCredits: 100,
    priorityLane: false,
    prices: { USD: { monthly: 0, annualPerMonth: 0 }, INR: { monthly: 0, annualPerMonth: 0 } },
  },
  {
    id: 'rise',
    name: 'Rise',
    rank: 1,
    videoCredits: 21,
    imageCredits: 1000,
    priorityLane: false,
    prices: {
      USD: { monthly: 1299, annualPerMonth: 799 },
      INR: { monthly: 99900, annualPerMonth: 79900 },
    },
  },
  {
    id: 'pro',
    name: 'Pro',
    rank: 2,
    videoCredits: 50,
    imageCredits: 2500,
    priorityLane: false,
    prices: {
      USD: { monthly: 1900, annualPerMonth: 999 },
      INR: { monthly: 149900, annualPerMonth: 99900 },
    },
  },
  {
    id: 'max',
    name: 'Max',
    rank: 3,
    videoCredits: 150,
    imageCredits: 7500,
    priorityLane: true,
    prices: {
      USD: { monthly: 4900, annualPerMonth: 3000 },
      INR: { monthly: 399900, annualPerMonth: 249900 },
    },
  },
];

const catalogs: Record<Brand, { plans: Plan[]; packs: CreditPack[] }> = {
  fluxnote: {
    plans: tiers,
    packs: [
      {
        id: 'video-10',
        name: '10 video credits',
        videoCredits: 10,
        imageCredits: 0,
        prices: { USD: 999, INR: 79900 },
      },
      {
        id: 'video-30',
        name: '30 video credits',
        videoCredits: 30,
        imageCredits: 0,
        prices: { USD: 2499, INR: 199900 },
      },
      {
        id: 'image-1000',
        name: '1,000 image credits',
        videoCredits: 0,
        imageCredits: 1000,
        prices: { USD: 499, INR: 39900 },
      },
    ],
  },
  // flux-kontext is an image brand: the same tiers, image packs only; its refund policy differs (SPEC §4).
  'flux-kontext': {
    plans: tiers,
    packs: [
      {
        id: 'image-1000',
        name: '1,000 image credits',
        videoCredits: 0,
        imageCredits: 1000,
        prices: { USD: 499, INR: 39900 },
      },
      {
        id: 'image-5000',
        name: '5,000 image credits',
        videoCredits: 0,
        imageCredits: 5000,
        prices: { USD: 1999, INR: 159900 },
      },
    ],
  },
};

export function isBrand(value: string): value is Brand {
  return (brands as readonly string[]).includes(value);
}

export function plansFor(brand: Brand): Plan[] {
  return catalogs[brand].plans;
}

export function packsFor(brand: Brand): CreditPack[] {
  return catalogs[brand].packs;
}

/** Whether a user on `planId` of `brand` has the generation queue's priority lane. */
export function hasPriorityLane(brand: string, planId: string): boolean {
  return isBrand(brand) && (findPlan(brand, planId)?.priorityLane ?? false);
}

export function findPlan(brand: Brand, id: string): Plan | undefined {
  return catalogs[brand].plans.find((p) => p.id === id);
}

export function findPack(brand: Brand, id: string): CreditPack | undefined {
  return catalogs[brand].packs.find((p) => p.id === id);
}

/** What one billing cycle of a plan costs: a month, or twelve months billed at once. */
export function planPrice(plan: Plan, currency: Currency, interval: Interval): Money {
  const prices = plan.prices[currency];
  return money(interval === 'month' ? prices.monthly : prices.annualPerMonth * 12, currency);
}

/** Users in India pay INR prices; everyone else USD (SPEC §2, regional pricing). */
export function currencyForCountry(country: string | null | undefined): Currency {
  return country === 'IN' ? 'INR' : 'USD';
}
