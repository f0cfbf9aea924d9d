import { HolidayCalendar } from './holiday-calendar';

describe('the holidays a support calendar closes on', () => {
  const us = new HolidayCalendar('US');
  it.each([
    // the days the calendar listed by hand for 2026–2027, observed ones included
    ['2026-11-26', true, 'Thanksgiving 2026'],
    ['2026-07-03', true, 'Independence Day 2026, observed on the Friday'],
    ['2027-12-24', true, 'Christmas 2027, observed on the Friday'],
    // and after the hand-written list ran out
    ['2027-12-31', true, "New Year's Day 2028 on a Saturday, observed the Friday before"],
    ['2028-01-17', true, 'Martin Luther King Jr. Day 2028'],
    ['2030-11-28', true, 'Thanksgiving 2030'],
    ['2030-07-04', true, 'Independence Day 2030 (a Thursday)'],
    ['2030-12-25', true, 'Christmas 2030'],
    ['2030-11-29', false, 'the Friday after Thanksgiving is a working day'],
    ['2030-03-12', false, 'an ordinary Tuesday'],
  ])('%s closes: %s (%s)', (date, closed) => {
    expect(us.closes(date)).toBe(closed);
  });

  it('follows the region a brand names', () => {
    expect(new HolidayCalendar('IN').closes('2030-01-26')).toBe(true); // Republic Day
    expect(us.closes('2030-01-26')).toBe(false);
    expect(new HolidayCalendar('US-NY').closes('2030-11-28')).toBe(true);
  });

  it('refuses a region it does not know', () => {
    expect(() => new HolidayCalendar('XX')).toThrow(/unknown holiday region "XX"/);
    expect(() => new HolidayCalendar('US-ZZ')).toThrow(/unknown holiday region/);
  });
});
