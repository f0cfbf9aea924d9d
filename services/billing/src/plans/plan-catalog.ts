/** Plans per brand, as data (SPEC §2). Prices are integer minor units. */
export type PlanId = 'free' | 'rise' | 'pro' | 'max';
export type Brand = 'fluxnote' | 'flux-kontext';

export interface PlanPrice {
  currency: 'USD' | 'INR';
  monthly: number;
  /** Per month, billed yearly. */
  annualPerMonth: number;
}

export interface Plan {
  id: PlanId;
  name: string;
  videoCredits: number;
  imageCredits: number;
  prices: PlanPrice[];
}

const fluxnotePlans: Plan[] = [
  {
    id: 'free',
    name: 'Free',
    videoCredits: 1,
    imageCredits: 100,
    prices: [
      { currency: 'USD', monthly: 0, annualPerMonth: 0 },
      { currency: 'INR', monthly: 0, annualPerMonth: 0 },
    ],
  },
  {
    id: 'rise',
    name: 'Rise',
    videoCredits: 21,
    imageCredits: 1000,
    prices: [
      { currency: 'USD', monthly: 1299, annualPerMonth: 799 },
      { currency: 'INR', monthly: 99900, annualPerMonth: 79900 },
    ],
  },
  {
    id: 'pro',
    name: 'Pro',
    videoCredits: 50,
    imageCredits: 2500,
    prices: [
      { currency: 'USD', monthly: 1900, annualPerMonth: 999 },
      { currency: 'INR', monthly: 149900, annualPerMonth: 99900 },
    ],
  },
  {
    id: 'max',
    name: 'Max',
    videoCredits: 150,
    imageCredits: 7500,
    prices: [
      { currency: 'USD', monthly: 4900, annualPerMonth: 3000 },
      { currency: 'INR', monthly: 399900, annualPerMonth: 249900 },
    ],
  },
];

const catalogs: Record<Brand, Plan[]> = {
  fluxnote: fluxnotePlans,
  // flux-kontext is an image brand: the same tiers; its own refund policy differs (SPEC §4).
  'flux-kontext': fluxnotePlans,
};

export function isBrand(value: string): value is Brand {
  return value in catalogs;
}

export function plansFor(brand: Brand): Plan[] {
  return catalogs[brand];
}

export function findPlan(brand: Brand, id: string): Plan | undefined {
  return catalogs[brand].find((p) => p.id === id);
}
