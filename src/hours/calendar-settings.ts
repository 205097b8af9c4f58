import { DateTime, IANAZone } from 'luxon';
import { AppError } from '../errors';

/** A wall-clock time in the calendar's zone. `{ hour: 24, minute: 0 }` means the end of the day. */
export interface TimeOfDay {
  hour: number;
  minute: number;
}

/** Everything that decides when support is open. Plain data, so it can be hashed and compared. */
export interface CalendarSettings {
  /** IANA zone the hours and dates are read in, e.g. 'Europe/London'. */
  timeZone: string;
  /** First open minute of a working day (inclusive). */
  opens: TimeOfDay;
  /** First closed minute after opening (exclusive); 24:00 runs to midnight. */
  closes: TimeOfDay;
  /** ISO weekdays that are working days: 1 = Monday ... 7 = Sunday. */
  days: number[];
  /** Local dates ('YYYY-MM-DD') that are closed although their weekday is a working day. */
  closedDates: string[];
}

/** English weekday names indexed by ISO weekday (index 0 unused). */
export const WEEKDAY_NAMES = [
  '',
  'Monday',
  'Tuesday',
  'Wednesday',
  'Thursday',
  'Friday',
  'Saturday',
  'Sunday',
] as const;

const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;

/** True for a real calendar date written 'YYYY-MM-DD' (so '2026-02-30' is false). */
export function isIsoDate(value: string): boolean {
  return ISO_DATE.test(value) && DateTime.fromISO(value, { zone: 'UTC' }).isValid;
}

/** Minutes after local midnight; 24:00 gives 1440. */
export function minutesOfDay(time: TimeOfDay): number {
  return time.hour * 60 + time.minute;
}

/**
 * Lists what is wrong with a settings object, one sentence per problem. An empty list means the
 * settings describe a calendar with at least one working hour a week.
 */
export function findSettingsProblems(settings: CalendarSettings): string[] {
  const problems: string[] = [];

  if (!IANAZone.isValidZone(settings.timeZone)) {
    problems.push(`timeZone "${settings.timeZone}" is not an IANA time zone`);
  }
  if (!isValidTime(settings.opens, false) || !isValidTime(settings.closes, true)) {
    problems.push('opening hours must be between 00:00 and 24:00');
  } else if (minutesOfDay(settings.closes) <= minutesOfDay(settings.opens)) {
    problems.push('closing time must be after opening time, so there is no working hour');
  }

  if (settings.days.length === 0) {
    problems.push('there is no working day');
  }
  if (settings.days.some((d) => !Number.isInteger(d) || d < 1 || d > 7)) {
    problems.push('working days must be ISO weekdays 1 (Monday) to 7 (Sunday)');
  }
  const badDates = settings.closedDates.filter((d) => !isIsoDate(d));
  if (badDates.length > 0) {
    problems.push(`closed dates must look like 2026-12-25 (got "${badDates[0]}")`);
  }
  return problems;
}

/** Throws CALENDAR_INVALID naming every problem when the settings cannot make a calendar. */
export function assertValidSettings(settings: CalendarSettings): void {
  const problems = findSettingsProblems(settings);
  if (problems.length > 0) {
    throw new AppError('CALENDAR_INVALID', `Business calendar is invalid: ${problems.join('; ')}`, {
      problems,
    });
  }
}

function isValidTime(time: TimeOfDay, allowEndOfDay: boolean): boolean {
  const { hour, minute } = time;
  if (!Number.isInteger(hour) || !Number.isInteger(minute)) return false;
  if (allowEndOfDay && hour === 24) return minute === 0;
  return hour >= 0 && hour <= 23 && minute >= 0 && minute <= 59;
}
