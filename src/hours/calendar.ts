import { createHash } from 'node:crypto';
import { DateTime } from 'luxon';
import { AppError } from '../errors';
import { assertValidSettings, type CalendarSettings } from './calendar-settings';
import { describeOpeningInstant, describeWorkingHours } from './describe';

export type { CalendarSettings, TimeOfDay } from './calendar-settings';

/**
 * The one answer to "is support working now, and when next?" (DESIGN invariant 5). Open periods
 * are half-open: the opening minute is open, the closing minute is closed. All reasoning happens
 * in the calendar's zone through luxon, so the host clock's zone never matters.
 */
export interface BusinessCalendar {
  /** The frozen settings this calendar was built from. */
  readonly settings: Readonly<CalendarSettings>;
  /** Short stable hash of the settings; equal settings give equal fingerprints. */
  readonly fingerprint: string;
  /** True when `at` falls inside a working day's opening hours. */
  isOpen(at: Date): boolean;
  /** `from` itself when open; otherwise the next instant the calendar opens. */
  nextOpening(from: Date): Date;
  /**
   * `from` itself when closed; otherwise the instant the current open stretch ends. Days that run
   * to 24:00 and continue at 00:00 count as one stretch. A calendar that stays open through the
   * whole search horizon (about two years, e.g. always open) returns NEVER.
   */
  nextClosing(from: Date): Date;
  /**
   * Open time between two instants, in minutes rounded to 0.01 (so 30 seconds is 0.5). Returns 0
   * when `end` is not after `start`.
   */
  workingMinutesBetween(start: Date, end: Date): number;
  /** When the next opening is, for users: '9:00 on Monday 7 December' (year added if far off). */
  describeNextOpening(from: Date): string;
  /** The working hours, for users: 'Monday to Friday, 9:00 to 17:00 UK time'. */
  describeHours(): string;
}

/** The latest instant a Date can hold; nextClosing's answer for a calendar that never closes. */
export const NEVER = new Date(8.64e15);

/**
 * How far ahead nextOpening and nextClosing look, in days. Two years covers any holiday list;
 * needing more means the closed dates shut every working day, which is an operator error.
 */
export const SEARCH_HORIZON_DAYS = 732;

/** Days of open periods kept per calendar; about eleven years, a few hundred kilobytes. */
const PERIOD_CACHE_DAYS = 4096;

/** One day's open period as epoch milliseconds, [startMs, endMs). */
interface OpenPeriod {
  startMs: number;
  endMs: number;
}

/**
 * Builds a calendar from settings. Throws CALENDAR_INVALID when the settings are malformed or
 * leave no working hour in the week (no days, or opening equal to closing).
 */
export function createCalendar(settings: CalendarSettings): BusinessCalendar {
  assertValidSettings(settings);
  const frozen = freezeSettings(settings);
  const periods = new OpenPeriods(frozen);

  return Object.freeze({
    settings: frozen,
    fingerprint: fingerprintOf(frozen),
    isOpen: (at: Date) => periods.isOpen(at.getTime()),
    nextOpening: (from: Date) => new Date(periods.nextOpening(from.getTime())),
    nextClosing: (from: Date) => new Date(periods.nextClosing(from.getTime())),
    workingMinutesBetween: (start: Date, end: Date) =>
      roundMinutes(periods.openMsBetween(start.getTime(), end.getTime())),
    describeNextOpening: (from: Date) => {
      const opening = periods.nextOpening(from.getTime());
      return describeOpeningInstant(periods.local(opening), periods.local(from.getTime()));
    },
    describeHours: () => describeWorkingHours(frozen),
  });
}

/** A calendar date named by its UTC midnight in epoch milliseconds (see OpenPeriods). */
type DateKey = number;

/** Every UTC day has exactly this many milliseconds; UTC has no clock changes. */
const DAY_MS = 86_400_000;

/**
 * Finds open periods day by day. Local dates are named by their UTC midnight, so stepping to the
 * next date is adding DAY_MS and involves no zone. Each date's opening and closing are placed in
 * the real zone by luxon, which moves a wall time that a spring clock change skips forward past
 * the gap, and reads a wall time that an autumn change repeats as its second (later) occurrence.
 * So hours that open or close inside a repeated hour do so at its second occurrence, an hour
 * later than the first time the clock shows it; hours of 09:00-17:00 never meet a clock change.
 */
class OpenPeriods {
  private readonly closedDates: ReadonlySet<string>;
  private readonly workingDays: ReadonlySet<number>;
  private readonly periods = new Map<DateKey, OpenPeriod | undefined>();

  constructor(private readonly settings: Readonly<CalendarSettings>) {
    this.closedDates = new Set(settings.closedDates);
    this.workingDays = new Set(settings.days);
  }

  local(ms: number): DateTime {
    return DateTime.fromMillis(ms, { zone: this.settings.timeZone });
  }

  isOpen(ms: number): boolean {
    const period = this.periodOn(this.dateOf(ms));
    return period !== undefined && period.startMs <= ms && ms < period.endMs;
  }

  nextOpening(fromMs: number): number {
    const firstDate = this.dateOf(fromMs);
    for (let day = 0; day < SEARCH_HORIZON_DAYS; day++) {
      const period = this.periodOn(firstDate + day * DAY_MS);
      if (period && fromMs < period.endMs) return Math.max(fromMs, period.startMs);
    }

    const message =
      `The business calendar has no opening in the ${SEARCH_HORIZON_DAYS} days after ` +
      `${new Date(fromMs).toISOString()}; do the closed dates cover every working day?`;
    throw new AppError('CALENDAR_INVALID', message, { horizonDays: SEARCH_HORIZON_DAYS });
  }

  nextClosing(fromMs: number): number {
    if (!this.isOpen(fromMs)) return fromMs;

    const firstDate = this.dateOf(fromMs);
    let endMs = this.periodOn(firstDate)?.endMs ?? fromMs;
    for (let day = 1; day < SEARCH_HORIZON_DAYS; day++) {
      const next = this.periodOn(firstDate + day * DAY_MS);
      if (next === undefined || next.startMs !== endMs) return endMs;
      endMs = next.endMs;
    }
    return NEVER.getTime();
  }

  openMsBetween(startMs: number, endMs: number): number {
    if (endMs <= startMs) return 0;

    let totalMs = 0;
    const lastDate = this.dateOf(endMs);
    for (let date = this.dateOf(startMs); date <= lastDate; date += DAY_MS) {
      const period = this.periodOn(date);
      if (period === undefined) continue;
      totalMs += Math.max(0, Math.min(endMs, period.endMs) - Math.max(startMs, period.startMs));
    }
    return totalMs;
  }

  /** The local calendar date of an instant. */
  private dateOf(ms: number): DateKey {
    const { year, month, day } = this.local(ms);
    return Date.UTC(year, month - 1, day);
  }

  /** Cached, because a long workingMinutesBetween asks about every day it spans. */
  private periodOn(date: DateKey): OpenPeriod | undefined {
    if (!this.periods.has(date)) {
      if (this.periods.size >= PERIOD_CACHE_DAYS) this.periods.clear();
      this.periods.set(date, this.computePeriodOn(DateTime.fromMillis(date, { zone: 'utc' })));
    }
    return this.periods.get(date);
  }

  private computePeriodOn(date: DateTime): OpenPeriod | undefined {
    if (!this.workingDays.has(date.weekday)) return undefined;
    if (this.closedDates.has(date.toISODate() ?? '')) return undefined;

    const { opens, closes } = this.settings;
    const startMs = this.wallTime(date, opens.hour, opens.minute);
    const endMs =
      closes.hour === 24
        ? this.wallTime(date.plus({ days: 1 }), 0, 0)
        : this.wallTime(date, closes.hour, closes.minute);
    // A clock change can swallow a short period whole (both ends in the skipped hour).
    return endMs > startMs ? { startMs, endMs } : undefined;
  }

  private wallTime(date: DateTime, hour: number, minute: number): number {
    const { year, month, day } = date;
    const zone = this.settings.timeZone;
    return DateTime.fromObject({ year, month, day, hour, minute }, { zone }).toMillis();
  }
}

/** Copies and freezes the settings, with days and dates sorted and unique. */
function freezeSettings(settings: CalendarSettings): Readonly<CalendarSettings> {
  // The arrays are frozen at run time; their type stays mutable to match CalendarSettings.
  return Object.freeze({
    timeZone: settings.timeZone,
    opens: Object.freeze({ ...settings.opens }),
    closes: Object.freeze({ ...settings.closes }),
    days: Object.freeze([...new Set(settings.days)].sort((a, b) => a - b)) as number[],
    closedDates: Object.freeze([...new Set(settings.closedDates)].sort()) as string[],
  });
}

/** Hashes the settings in a fixed field order, so equal settings hash equally. */
function fingerprintOf(settings: Readonly<CalendarSettings>): string {
  const canonical = JSON.stringify([
    settings.timeZone,
    [settings.opens.hour, settings.opens.minute],
    [settings.closes.hour, settings.closes.minute],
    settings.days,
    settings.closedDates,
  ]);
  return createHash('sha256').update(canonical).digest('hex').slice(0, 16);
}

function roundMinutes(ms: number): number {
  return Math.round(ms / 600) / 100;
}
