import { DateTime } from 'luxon';
import { DEFAULT_CLOSED_DATES } from '../../../src/hours';

/*
 * Rebuilds the England and Wales bank holidays from their rules, independently of the shipped
 * table, so a typo in the table fails here.
 */

/** Easter Sunday by the anonymous Gregorian algorithm (Meeus/Jones/Butcher). */
function easterSunday(year: number): DateTime {
  const a = year % 19;
  const b = Math.floor(year / 100);
  const c = year % 100;
  const d = Math.floor(b / 4);
  const e = b % 4;
  const f = Math.floor((b + 8) / 25);
  const g = Math.floor((b - f + 1) / 3);
  const h = (19 * a + b - d - g + 15) % 30;
  const i = Math.floor(c / 4);
  const k = c % 4;
  const l = (32 + 2 * e + 2 * i - h - k) % 7;
  const m = Math.floor((a + 11 * h + 22 * l) / 451);
  const month = Math.floor((h + l - 7 * m + 114) / 31);
  const day = ((h + l - 7 * m + 114) % 31) + 1;
  return DateTime.utc(year, month, day);
}

function firstMonday(year: number, month: number): DateTime {
  const first = DateTime.utc(year, month, 1);
  return first.plus({ days: (8 - first.weekday) % 7 });
}

function lastMonday(year: number, month: number): DateTime {
  const last = DateTime.utc(year, month, 1).endOf('month').startOf('day');
  return last.minus({ days: (last.weekday + 6) % 7 });
}

/** Moves each fixed-date holiday off the weekend to the next weekday not already taken. */
function withSubstitutes(dates: DateTime[]): DateTime[] {
  const taken = new Set<string>();
  return dates.map((date) => {
    let day = date;
    while (day.weekday > 5 || taken.has(day.toISODate() ?? '')) day = day.plus({ days: 1 });
    taken.add(day.toISODate() ?? '');
    return day;
  });
}

function expectedHolidays(year: number): string[] {
  const easter = easterSunday(year);
  const dates = [
    ...withSubstitutes([DateTime.utc(year, 1, 1)]),
    easter.minus({ days: 2 }),
    easter.plus({ days: 1 }),
    firstMonday(year, 5),
    lastMonday(year, 5),
    lastMonday(year, 8),
    ...withSubstitutes([DateTime.utc(year, 12, 25), DateTime.utc(year, 12, 26)]),
  ];
  return dates.map((date) => date.toISODate() ?? '');
}

describe('DEFAULT_CLOSED_DATES', () => {
  it('knows Easter Sunday for a few checked years', () => {
    expect(easterSunday(2024).toISODate()).toBe('2024-03-31');
    expect(easterSunday(2025).toISODate()).toBe('2025-04-20');
    expect(easterSunday(2026).toISODate()).toBe('2026-04-05');
  });

  it.each([2026, 2027, 2028])('matches the rules for %i', (year) => {
    const shipped = DEFAULT_CLOSED_DATES.filter((entry) => entry.date.startsWith(`${year}-`));

    expect(shipped.map((entry) => entry.date)).toEqual(expectedHolidays(year));
  });

  it('holds nothing but those three years, sorted, each on a weekday with a name', () => {
    const dates = DEFAULT_CLOSED_DATES.map((entry) => entry.date);

    expect(dates).toHaveLength(24);
    expect(dates).toEqual([...dates].sort());
    for (const entry of DEFAULT_CLOSED_DATES) {
      expect(DateTime.fromISO(entry.date, { zone: 'UTC' }).weekday).toBeLessThanOrEqual(5);
      expect(entry.name).not.toBe('');
    }
  });

  it('marks the substitute days of the brief', () => {
    const byDate = new Map(DEFAULT_CLOSED_DATES.map((entry) => [entry.date, entry.name]));

    expect(byDate.get('2026-12-28')).toMatch(/Boxing Day.*substitute/);
    expect(byDate.get('2027-12-27')).toMatch(/Christmas Day.*substitute/);
    expect(byDate.get('2027-12-28')).toMatch(/Boxing Day.*substitute/);
    expect(byDate.get('2028-01-03')).toMatch(/New Year.*substitute/);
    expect(byDate.get('2028-12-26')).toBe('Boxing Day');
  });

  it('cannot be changed by a caller', () => {
    expect(Object.isFrozen(DEFAULT_CLOSED_DATES)).toBe(true);
    expect(Object.isFrozen(DEFAULT_CLOSED_DATES[0])).toBe(true);
  });
});
