import { DateTime } from 'luxon';
import { HolidayCalendar } from './holiday-calendar';

/** When a support team works, in its own time zone. */
export interface BusinessHours {
  /** IANA zone, e.g. America/New_York (daylight saving handled). */
  timeZone: string;
  /** Local opening and closing time, HH:MM, the same every business day. */
  opens: string;
  closes: string;
  /** ISO weekdays that are business days (1 = Monday … 7 = Sunday). */
  days: readonly number[];
  /** Whose public holidays close the team although their weekday is open (`US`, `IN-MH`). */
  holidayRegion: string;
}

/** Enough days to cross any run of weekends and holidays; more means a calendar with no open day. */
const MAX_DAYS_SEARCHED = 370;

function minutesOf(hhmm: string): number {
  const match = /^(\d{2}):(\d{2})$/.exec(hhmm);
  if (!match) {
    throw new Error(`"${hhmm}" is not a time of day as HH:MM`);
  }
  return Number(match[1]) * 60 + Number(match[2]);
}

/**
 * Business time on a calendar: adding business minutes to an instant, and
 * counting the business minutes between two. Time outside opening hours, on
 * closed weekdays and on holidays does not count.
 */
export class BusinessCalendar {
  private readonly opens: number;
  private readonly closes: number;
  private readonly holidays: HolidayCalendar;

  constructor(private readonly hours: BusinessHours) {
    this.opens = minutesOf(hours.opens);
    this.closes = minutesOf(hours.closes);
    if (this.closes <= this.opens) {
      throw new Error(`closing time ${hours.closes} is not after opening time ${hours.opens}`);
    }
    if (!DateTime.local().setZone(hours.timeZone).isValid) {
      throw new Error(`unknown time zone "${hours.timeZone}"`);
    }
    this.holidays = new HolidayCalendar(hours.holidayRegion);
  }

  /** Minutes of business time in one full business day. */
  get dayLength(): number {
    return this.closes - this.opens;
  }

  isOpen(at: Date): boolean {
    const local = this.local(at);
    const minute = local.hour * 60 + local.minute;
    return this.isBusinessDay(local) && minute >= this.opens && minute < this.closes;
  }

  /** The instant `minutes` of business time after `from` (counting starts at the next opening if closed). */
  addBusinessMinutes(from: Date, minutes: number): Date {
    let remaining = minutes;
    let day = this.local(from);
    let cursor = day;
    for (let i = 0; i < MAX_DAYS_SEARCHED; i++) {
      if (this.isBusinessDay(day)) {
        const start = DateTime.max(cursor, this.at(day, this.opens));
        const end = this.at(day, this.closes);
        const available = end.diff(start, 'minutes').minutes;
        if (available > 0) {
          if (remaining <= available) {
            return start.plus({ minutes: remaining }).toJSDate();
          }
          remaining -= available;
        }
      }
      day = day.plus({ days: 1 }).startOf('day');
      cursor = day;
    }
    throw new Error('the business calendar has no open day within a year');
  }

  /** Business minutes between two instants (0 if `to` is not after `from`). */
  businessMinutesBetween(from: Date, to: Date): number {
    const last = this.local(to);
    let day = this.local(from);
    let cursor = day;
    let total = 0;
    for (let i = 0; i < MAX_DAYS_SEARCHED * 5 && cursor < last; i++) {
      if (this.isBusinessDay(day)) {
        const start = DateTime.max(cursor, this.at(day, this.opens));
        const end = DateTime.min(last, this.at(day, this.closes));
        if (end > start) {
          total += end.diff(start, 'minutes').minutes;
        }
      }
      day = day.plus({ days: 1 }).startOf('day');
      cursor = day;
    }
    return total;
  }

  private local(at: Date): DateTime {
    return DateTime.fromJSDate(at, { zone: this.hours.timeZone });
  }

  /** That local day at a minute of the day (wall time, so daylight saving days are right). */
  private at(day: DateTime, minuteOfDay: number): DateTime {
    return day.set({
      hour: Math.floor(minuteOfDay / 60),
      minute: minuteOfDay % 60,
      second: 0,
      millisecond: 0,
    });
  }

  private isBusinessDay(day: DateTime): boolean {
    return this.hours.days.includes(day.weekday) && !this.holidays.closes(day.toISODate() ?? '');
  }
}
