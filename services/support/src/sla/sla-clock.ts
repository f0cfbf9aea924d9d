import { BusinessCalendar, type BusinessHours } from './business-calendar';

export type SupportPlan = 'free' | 'rise' | 'pro' | 'max';
export type SupportChannel = 'email' | 'chat';

/** A first-response target: in wall-clock minutes, or in business minutes on the calendar. */
export interface Target {
  clock: 'wall' | 'business';
  minutes: number;
}

export interface SlaPolicy {
  calendar: BusinessHours;
  /** Per plan and channel; a channel missing for a plan is not offered on it (free chat). */
  firstResponse: Record<SupportPlan, Partial<Record<SupportChannel, Target>>>;
  /** A first line `SECURITY`: senior agents, whatever the plan or channel. */
  security: Target;
  /** Share of the target elapsed at which a ticket counts as near its deadline. */
  nearShare: number;
}

export type SlaStanding = 'on_track' | 'near' | 'breached';

const hours = (n: number): Target => ({ clock: 'wall', minutes: n * 60 });
const businessMinutes = (n: number): Target => ({ clock: 'business', minutes: n });

const newYorkHours: BusinessHours = {
  timeZone: 'America/New_York',
  opens: '09:00',
  closes: '21:00',
  days: [1, 2, 3, 4, 5],
  // US federal holidays, observed days included (a brand may name another region)
  holidayRegion: 'US',
};

/** SPEC §5 defaults: email 5 business days / 48 h / 12 h; chat (paid plans) 30 / 5 business minutes; security 15 min. */
export const defaultSlaPolicy: SlaPolicy = {
  calendar: newYorkHours,
  firstResponse: {
    free: { email: businessMinutes(5 * (21 - 9) * 60) },
    rise: { email: hours(48), chat: businessMinutes(30) },
    pro: { email: hours(48), chat: businessMinutes(30) },
    max: { email: hours(12), chat: businessMinutes(5) },
  },
  security: { clock: 'wall', minutes: 15 },
  nearShare: 0.75,
};

/** Each brand's policy (both brands use the defaults today; a brand may get its own hours or targets). */
export const brandSlaPolicies: Readonly<Record<string, SlaPolicy>> = {
  fluxnote: defaultSlaPolicy,
  'flux-kontext': defaultSlaPolicy,
};

/**
 * The brands' policies with the holiday regions an operator set
 * (`SUPPORT_HOLIDAY_REGIONS`) in place of the policy's own; a brand not named keeps its own.
 */
export function policiesWithRegions(
  regions: Readonly<Record<string, string>>,
  policies: Readonly<Record<string, SlaPolicy>> = brandSlaPolicies,
): Record<string, SlaPolicy> {
  const unknown = Object.keys(regions).filter((brand) => !(brand in policies));
  if (unknown.length > 0) {
    throw new Error(`holiday regions name unknown brands: ${unknown.join(', ')}`);
  }
  return Object.fromEntries(
    Object.entries(policies).map(([brand, policy]) => [
      brand,
      brand in regions
        ? { ...policy, calendar: { ...policy.calendar, holidayRegion: regions[brand] } }
        : policy,
    ]),
  );
}

/**
 * First-response due times and how a ticket stands against its target. Times
 * come from the caller — the platform clock — never from the machine's clock.
 */
export class SlaClock {
  private readonly calendar: BusinessCalendar;

  constructor(private readonly policy: SlaPolicy) {
    this.calendar = new BusinessCalendar(policy.calendar);
  }

  /** The target for a new ticket; null when the channel is not offered on the plan. */
  target(
    plan: SupportPlan,
    channel: SupportChannel,
    options: { security: boolean },
  ): Target | null {
    if (options.security) {
      return this.policy.security;
    }
    return this.policy.firstResponse[plan][channel] ?? null;
  }

  dueAt(openedAt: Date, target: Target): Date {
    return target.clock === 'wall'
      ? new Date(openedAt.getTime() + target.minutes * 60_000)
      : this.calendar.addBusinessMinutes(openedAt, target.minutes);
  }

  standing(openedAt: Date, target: Target, now: Date): SlaStanding {
    const due = this.dueAt(openedAt, target);
    if (now >= due) {
      return 'breached';
    }
    const elapsed =
      target.clock === 'wall'
        ? (now.getTime() - openedAt.getTime()) / 60_000
        : this.calendar.businessMinutesBetween(openedAt, now);
    return elapsed >= this.policy.nearShare * target.minutes ? 'near' : 'on_track';
  }

  /** The same, for a ticket due at a time of its own: the share of wall-clock time elapsed. */
  standingByDueTime(openedAt: Date, dueAt: Date, now: Date): SlaStanding {
    if (now >= dueAt) {
      return 'breached';
    }
    const share = (now.getTime() - openedAt.getTime()) / (dueAt.getTime() - openedAt.getTime());
    return share >= this.policy.nearShare ? 'near' : 'on_track';
  }

  /** Whether the support team is at work now (chat shows it). */
  isOpen(at: Date): boolean {
    return this.calendar.isOpen(at);
  }
}

/**
 * One SLA clock per brand, built once from the policies (a region or zone that does not
 * exist fails the start, not a ticket). Injected, so the holiday regions come from configuration.
 */
export class SlaClocks {
  private readonly clocks: ReadonlyMap<string, SlaClock>;
  private readonly fallback: SlaClock;

  constructor(policies: Readonly<Record<string, SlaPolicy>> = brandSlaPolicies) {
    this.clocks = new Map(Object.entries(policies).map(([brand, p]) => [brand, new SlaClock(p)]));
    this.fallback = new SlaClock(defaultSlaPolicy);
  }

  forBrand(brand: string): SlaClock {
    return this.clocks.get(brand) ?? this.fallback;
  }
}
