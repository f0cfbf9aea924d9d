import Holidays from 'date-holidays';

/**
 * The public holidays of a region (`US`, `US-NY`, `IN`, `IN-MH`, `GB-ENG`, …), observed days
 * included (a holiday on a Saturday closes the Friday before in the US), from date-holidays:
 * maintained rules, not a list that runs out.
 */
export class HolidayCalendar {
  private readonly holidays: Holidays;
  private readonly years = new Map<number, ReadonlySet<string>>();

  constructor(readonly region: string) {
    const [country, state] = region.split('-');
    this.holidays = new Holidays();
    const known =
      country in this.holidays.getCountries() &&
      (state === undefined || state in (this.holidays.getStates(country) ?? {}));
    if (!known) {
      throw new Error(`unknown holiday region "${region}"`);
    }
    this.holidays.init(country, state ?? '');
  }

  /** Whether a local date (YYYY-MM-DD) is a public holiday there. */
  closes(localDate: string): boolean {
    const year = Number(localDate.slice(0, 4));
    let dates = this.years.get(year);
    if (!dates) {
      dates = new Set(
        this.holidays
          .getHolidays(year)
          .filter((h) => h.type === 'public')
          .map((h) => h.date.slice(0, 10)),
      );
      this.years.set(year, dates);
    }
    return dates.has(localDate);
  }
}
