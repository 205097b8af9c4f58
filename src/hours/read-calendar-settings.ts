import { readFileSync } from 'node:fs';
import { IANAZone } from 'luxon';
import { AppError } from '../errors';
import { isIsoDate, type CalendarSettings, type TimeOfDay } from './calendar-settings';
import { parseClosedDatesFile } from './closed-dates-file';
import { DEFAULT_CLOSED_DATES } from './data/england-wales-bank-holidays';

/** The environment variables the calendar is built from; config.ts passes them through. */
export interface CalendarEnv {
  /** IANA zone, default Europe/London. */
  BUSINESS_TIMEZONE?: string;
  /** 'HH:MM-HH:MM', default 09:00-17:00; the closing time may be 24:00. */
  BUSINESS_HOURS?: string;
  /** Day names and ranges, e.g. 'Mon-Fri' (default), 'Mon,Wed,Fri', 'Sat-Sun'. */
  BUSINESS_DAYS?: string;
  /** Path to a closed-dates file that REPLACES the shipped bank holidays. */
  BUSINESS_CLOSED_DATES_FILE?: string;
  /** Comma-separated 'YYYY-MM-DD' dates ADDED to the closed dates (company closures). */
  BUSINESS_EXTRA_CLOSED_DATES?: string;
}

/** How the closed-dates file is read; tests pass their own. */
export type ReadTextFile = (path: string) => string;

const DAY_NAMES = ['monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday', 'sunday'];

const DEFAULT_HOURS = '09:00-17:00';
const DEFAULT_DAYS = 'Mon-Fri';

/**
 * Turns the BUSINESS_* variables into calendar settings. Unset or blank variables take their
 * defaults. Every bad value is reported together in one CALENDAR_INVALID error whose message
 * names each variable, so the service stops at start rather than running on a wrong calendar.
 * A relative BUSINESS_CLOSED_DATES_FILE is resolved against the working directory.
 */
export function readCalendarSettings(
  env: CalendarEnv,
  readFile: ReadTextFile = (path) => readFileSync(path, 'utf8'),
): CalendarSettings {
  const problems: string[] = [];
  const attempt = <T>(parse: () => T, fallback: T): T => {
    try {
      return parse();
    } catch (err) {
      problems.push(err instanceof Error ? err.message : String(err));
      return fallback;
    }
  };

  const timeZone = attempt(() => parseTimeZone(env.BUSINESS_TIMEZONE), 'Europe/London');
  const hours = attempt(() => parseHours(env.BUSINESS_HOURS), undefined);
  const days = attempt(() => parseDays(env.BUSINESS_DAYS), []);
  const listed = attempt(() => readListedDates(env.BUSINESS_CLOSED_DATES_FILE, readFile), []);
  const extra = attempt(() => parseExtraDates(env.BUSINESS_EXTRA_CLOSED_DATES), []);

  if (problems.length > 0 || hours === undefined) {
    throw new AppError('CALENDAR_INVALID', problems.join('; '), { problems });
  }
  const closedDates = [...new Set([...listed, ...extra])].sort();
  return { timeZone, opens: hours.opens, closes: hours.closes, days, closedDates };
}

function parseTimeZone(raw: string | undefined): string {
  const value = blankToUndefined(raw) ?? 'Europe/London';
  if (!IANAZone.isValidZone(value)) {
    throw new Error(
      `BUSINESS_TIMEZONE must be an IANA time zone such as Europe/London (got "${value}")`,
    );
  }
  return value;
}

function parseHours(raw: string | undefined): { opens: TimeOfDay; closes: TimeOfDay } {
  const value = blankToUndefined(raw) ?? DEFAULT_HOURS;
  const match = /^(\d{1,2}):(\d{2})\s*-\s*(\d{1,2}):(\d{2})$/.exec(value);
  const opens = match ? { hour: Number(match[1]), minute: Number(match[2]) } : undefined;
  const closes = match ? { hour: Number(match[3]), minute: Number(match[4]) } : undefined;
  if (!opens || !closes || !isClockTime(opens, false) || !isClockTime(closes, true)) {
    throw new Error(`BUSINESS_HOURS must look like 09:00-17:00 (got "${value}")`);
  }

  const openMinute = opens.hour * 60 + opens.minute;
  const closeMinute = closes.hour * 60 + closes.minute;
  if (closeMinute === openMinute) {
    throw new Error('BUSINESS_HOURS opens and closes at the same time, leaving no working hours');
  }
  if (closeMinute < openMinute) {
    // Overnight opening (22:00-06:00) would make one working day span two dates; not supported.
    throw new Error(`BUSINESS_HOURS must close after it opens on the same day (got "${value}")`);
  }
  return { opens, closes };
}

function isClockTime(time: TimeOfDay, allowEndOfDay: boolean): boolean {
  if (allowEndOfDay && time.hour === 24) return time.minute === 0;
  return time.hour <= 23 && time.minute <= 59;
}

/** Accepts names ('Mon', 'monday'), ranges ('Mon-Fri', wrapping 'Fri-Mon') and lists of both. */
function parseDays(raw: string | undefined): number[] {
  const value = blankToUndefined(raw) ?? DEFAULT_DAYS;
  const days = new Set<number>();

  for (const part of value.split(',')) {
    const ends = part.split('-').map(dayNumber);
    const [first, last] = [ends[0], ends[ends.length - 1]];
    if (ends.length > 2 || first === undefined || last === undefined) {
      throw new Error(`BUSINESS_DAYS must look like Mon-Fri or Mon,Wed,Fri (got "${value}")`);
    }
    for (let day = first, steps = 0; steps < 7; day = (day % 7) + 1, steps++) {
      days.add(day);
      if (day === last) break;
    }
  }
  return [...days].sort((a, b) => a - b);
}

/** ISO weekday for any prefix of a day name of three letters or more: 'Mon', 'tues', 'Thursday'. */
function dayNumber(name: string): number | undefined {
  const word = name.trim().toLowerCase();
  if (word.length < 3) return undefined;

  const index = DAY_NAMES.findIndex((full) => full.startsWith(word));
  return index === -1 ? undefined : index + 1;
}

function readListedDates(path: string | undefined, readFile: ReadTextFile): string[] {
  const file = blankToUndefined(path);
  if (file === undefined) return DEFAULT_CLOSED_DATES.map((entry) => entry.date);

  let text: string;
  try {
    text = readFile(file);
  } catch (err) {
    const reason = err instanceof Error ? err.message : String(err);
    throw new Error(`BUSINESS_CLOSED_DATES_FILE ${file} could not be read: ${reason}`);
  }
  return parseClosedDatesFile(text, file);
}

function parseExtraDates(raw: string | undefined): string[] {
  const value = blankToUndefined(raw);
  if (value === undefined) return [];

  const dates = value.split(/[\s,]+/).filter((d) => d !== '');
  const bad = dates.find((d) => !isIsoDate(d));
  if (bad !== undefined) {
    throw new Error(
      `BUSINESS_EXTRA_CLOSED_DATES must be comma-separated dates like 2026-12-24 (got "${bad}")`,
    );
  }
  return dates;
}

function blankToUndefined(value: string | undefined): string | undefined {
  const trimmed = value?.trim();
  return trimmed === undefined || trimmed === '' ? undefined : trimmed;
}
