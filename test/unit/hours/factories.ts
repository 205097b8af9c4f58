import { createCalendar, DEFAULT_CLOSED_DATES, type CalendarSettings } from '../../../src/hours';

/** The product default: Europe/London, Monday to Friday, 09:00-17:00, shipped bank holidays. */
export function londonSettings(overrides: Partial<CalendarSettings> = {}): CalendarSettings {
  return {
    timeZone: 'Europe/London',
    opens: { hour: 9, minute: 0 },
    closes: { hour: 17, minute: 0 },
    days: [1, 2, 3, 4, 5],
    closedDates: DEFAULT_CLOSED_DATES.map((entry) => entry.date),
    ...overrides,
  };
}

export function londonCalendar(overrides: Partial<CalendarSettings> = {}) {
  return createCalendar(londonSettings(overrides));
}

/** Open every minute of every day, in London, with no closed dates. */
export function alwaysOpenCalendar() {
  return londonCalendar({
    opens: { hour: 0, minute: 0 },
    closes: { hour: 24, minute: 0 },
    days: [1, 2, 3, 4, 5, 6, 7],
    closedDates: [],
  });
}

/** An instant from an ISO string with an explicit offset, e.g. at('2026-12-04T17:00:00Z'). */
export function at(iso: string): Date {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) throw new Error(`bad test instant ${iso}`);
  return date;
}

/** The error a function throws, or undefined when it returns. */
export function thrownBy(run: () => unknown): unknown {
  try {
    run();
  } catch (err) {
    return err;
  }
  return undefined;
}
