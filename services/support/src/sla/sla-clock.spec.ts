import { BusinessCalendar } from './business-calendar';
import { supportConfigSchema } from '../config/support.config';
import { defaultSlaPolicy, policiesWithRegions, SlaClock, SlaClocks } from './sla-clock';

const sla = new SlaClock(defaultSlaPolicy);
const at = (iso: string) => new Date(iso);

function due(plan: 'free' | 'rise' | 'pro' | 'max', channel: 'email' | 'chat', openedAt: string) {
  const target = sla.target(plan, channel, { security: false });
  if (!target) {
    throw new Error('not offered');
  }
  return sla.dueAt(at(openedAt), target).toISOString();
}

describe('SLA clock (America/New_York business hours, 9:00–21:00 on weekdays, US holidays)', () => {
  it('carries a chat opened near Friday closing over the weekend to Monday morning', () => {
    // Friday 20 Nov 2026 20:45 EST = 01:45Z Saturday; 15 business minutes left that day
    expect(due('pro', 'chat', '2026-11-21T01:45:00Z')).toBe('2026-11-23T14:15:00.000Z'); // Mon 09:15 EST
    // Saturday: counting starts at Monday's opening
    expect(due('max', 'chat', '2026-11-21T16:00:00Z')).toBe('2026-11-23T14:05:00.000Z'); // Mon 09:05 EST
  });

  it('skips a holiday and a weekend for a free user’s five business days', () => {
    // Wednesday 25 Nov 2026 10:00 EST; Thursday 26 is Thanksgiving, then a weekend:
    // Wed 11 h, Fri 12 h, Mon 12 h, Tue 12 h, Wed 12 h = 59 h, so 1 h into Thursday 3 Dec
    expect(due('free', 'email', '2026-11-25T15:00:00Z')).toBe('2026-12-03T15:00:00.000Z');
  });

  it('still knows the holidays in 2030', () => {
    // Wednesday 27 Nov 2030 10:00 EST; Thursday 28 is Thanksgiving, then a weekend:
    // Wed 11 h, Fri 12 h, Mon 12 h, Tue 12 h, Wed 12 h = 59 h, so 1 h into Thursday 5 Dec
    expect(due('free', 'email', '2030-11-27T15:00:00Z')).toBe('2030-12-05T15:00:00.000Z');
    // a chat opened at Christmas Eve's closing waits for Thursday 26 Dec
    expect(due('max', 'chat', '2030-12-25T01:59:00Z')).toBe('2030-12-26T14:04:00.000Z');
  });

  it('counts wall-clock hours for paid email, weekend or not', () => {
    expect(due('max', 'email', '2026-11-21T16:00:00Z')).toBe('2026-11-22T04:00:00.000Z');
    expect(due('rise', 'email', '2026-11-25T15:00:00Z')).toBe('2026-11-27T15:00:00.000Z');
  });

  it('keeps local opening hours across the end of daylight saving time', () => {
    // Friday 30 Oct 2026 20:50 EDT (UTC-4) → 10 minutes left; DST ends Sunday 1 Nov;
    // the other 20 minutes are Monday 2 Nov 09:00–09:20 EST (UTC-5)
    expect(due('pro', 'chat', '2026-10-31T00:50:00Z')).toBe('2026-11-02T14:20:00.000Z');
  });

  it('gives security tickets 15 minutes on any plan or channel, and offers no chat on the free plan', () => {
    const security = sla.target('free', 'email', { security: true })!;
    expect(sla.dueAt(at('2026-11-22T03:00:00Z'), security).toISOString()).toBe(
      '2026-11-22T03:15:00.000Z',
    );
    expect(sla.target('free', 'chat', { security: false })).toBeNull();
  });

  it('says when a ticket is near its target and when it breached, counting business time only', () => {
    const chat = sla.target('pro', 'chat', { security: false })!;
    const opened = at('2026-11-23T14:00:00Z'); // Monday 09:00 EST
    expect(sla.standing(opened, chat, at('2026-11-23T14:10:00Z'))).toBe('on_track');
    expect(sla.standing(opened, chat, at('2026-11-23T14:23:00Z'))).toBe('near');
    expect(sla.standing(opened, chat, at('2026-11-23T14:30:00Z'))).toBe('breached');
    // opened Friday 20:50 EST: over the weekend only 10 business minutes pass
    const friday = at('2026-11-21T01:50:00Z');
    expect(sla.standing(friday, chat, at('2026-11-22T18:00:00Z'))).toBe('on_track');
    expect(sla.standing(friday, chat, at('2026-11-23T14:15:00Z'))).toBe('near');
    expect(sla.isOpen(at('2026-11-22T18:00:00Z'))).toBe(false);
    expect(sla.isOpen(at('2026-11-23T18:00:00Z'))).toBe(true);
  });

  it('refuses a calendar that cannot work', () => {
    const hours = defaultSlaPolicy.calendar;
    expect(() => new BusinessCalendar({ ...hours, opens: '21:00', closes: '09:00' })).toThrow(
      /not after/,
    );
    expect(() => new BusinessCalendar({ ...hours, timeZone: 'Mars/Olympus' })).toThrow(/time zone/);
    expect(() => new BusinessCalendar({ ...hours, holidayRegion: 'Atlantis' })).toThrow(/region/);
    expect(() =>
      new BusinessCalendar({ ...hours, days: [] }).addBusinessMinutes(new Date(), 5),
    ).toThrow(/no open day/);
  });
});

describe('holiday regions per brand from configuration', () => {
  const parse = (value: string | undefined) =>
    supportConfigSchema.shape.SUPPORT_HOLIDAY_REGIONS.safeParse(value);

  it.each([
    [undefined, {}],
    ['', {}],
    ['flux-kontext=IN', { 'flux-kontext': 'IN' }],
    [' fluxnote=US-NY , flux-kontext=IN-MH ', { fluxnote: 'US-NY', 'flux-kontext': 'IN-MH' }],
  ])('reads %j as %j', (value, regions) => {
    expect(parse(value)).toMatchObject({ success: true, data: regions });
  });

  it.each([
    ['fluxnote', /brand=REGION/],
    ['fluxnote=us', /brand=REGION/],
    ['fluxnote=XX', /no holiday region/],
    ['fluxnote=US-ZZ', /no holiday region/],
  ])('refuses %j', (value, message) => {
    const result = parse(value);
    expect(result.success).toBe(false);
    expect(result.error?.issues[0].message).toMatch(message);
  });

  it('closes a brand on the holidays of the region it names and leaves the others on theirs', () => {
    const clocks = new SlaClocks(policiesWithRegions({ 'flux-kontext': 'IN' }));
    // Wednesday 2 October 2030, 11:00 in New York: Gandhi Jayanti, a public holiday in India only
    const gandhiJayanti = at('2030-10-02T15:00:00Z');
    expect(clocks.forBrand('flux-kontext').isOpen(gandhiJayanti)).toBe(false);
    expect(clocks.forBrand('fluxnote').isOpen(gandhiJayanti)).toBe(true);
    // Thursday 28 November 2030: Thanksgiving closes the US brand, not the one on India's calendar
    const thanksgiving = at('2030-11-28T16:00:00Z');
    expect(clocks.forBrand('fluxnote').isOpen(thanksgiving)).toBe(false);
    expect(clocks.forBrand('flux-kontext').isOpen(thanksgiving)).toBe(true);
    // a brand nobody configured gets the default policy
    expect(clocks.forBrand('unknown-brand').isOpen(thanksgiving)).toBe(false);
  });

  it('refuses a region for a brand that does not exist', () => {
    expect(() => policiesWithRegions({ fluxnot: 'US' })).toThrow(/unknown brands: fluxnot/);
  });
});
