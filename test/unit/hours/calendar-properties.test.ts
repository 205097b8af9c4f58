import fc from 'fast-check';
import { DEFAULT_CLOSED_DATES } from '../../../src/hours';
import { londonCalendar } from './factories';

/*
 * Properties over random instants from 2026 to 2028, checked against an oracle that reads the
 * London wall clock through Intl instead of luxon, so the two implementations check each other.
 */

const londonClock = new Intl.DateTimeFormat('en-GB', {
  timeZone: 'Europe/London',
  hourCycle: 'h23',
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
  weekday: 'short',
  hour: '2-digit',
  minute: '2-digit',
});
const holidays = new Set(DEFAULT_CLOSED_DATES.map((entry) => entry.date));

function oracleIsOpen(at: Date): boolean {
  const parts = Object.fromEntries(londonClock.formatToParts(at).map((p) => [p.type, p.value]));
  const date = `${parts.year}-${parts.month}-${parts.day}`;
  const minutes = Number(parts.hour) * 60 + Number(parts.minute);

  const isWeekday = !['Sat', 'Sun'].includes(parts.weekday ?? '');
  return isWeekday && !holidays.has(date) && minutes >= 9 * 60 && minutes < 17 * 60;
}

const instant = fc
  .integer({ min: Date.UTC(2026, 0, 1), max: Date.UTC(2028, 11, 20) })
  .map((ms) => new Date(ms));

describe('calendar properties', () => {
  const calendar = londonCalendar();

  it('agrees with the Intl oracle on isOpen', () => {
    fc.assert(
      fc.property(instant, (at) => calendar.isOpen(at) === oracleIsOpen(at)),
      { numRuns: 3000 },
    );
  });

  it('nextOpening is open, not earlier than the start, and skips no open time', () => {
    fc.assert(
      fc.property(instant, (from) => {
        const opening = calendar.nextOpening(from);

        expect(opening.getTime()).toBeGreaterThanOrEqual(from.getTime());
        expect(oracleIsOpen(opening)).toBe(true);
        expect(oracleIsOpen(new Date(opening.getTime() - 60_000))).toBe(
          opening.getTime() === from.getTime() && oracleIsOpen(new Date(from.getTime() - 60_000)),
        );
        expect(calendar.workingMinutesBetween(from, opening)).toBe(0);
      }),
      { numRuns: 1000 },
    );
  });

  it('nextClosing is closed and everything before it is open', () => {
    fc.assert(
      fc.property(instant, (from) => {
        const closing = calendar.nextClosing(from);
        const openMinutes = (closing.getTime() - from.getTime()) / 60_000;

        expect(calendar.isOpen(closing)).toBe(false);
        expect(calendar.workingMinutesBetween(from, closing)).toBeCloseTo(openMinutes, 2);
      }),
      { numRuns: 1000 },
    );
  });

  it('workingMinutesBetween adds up over a split interval', () => {
    fc.assert(
      fc.property(instant, instant, instant, (x, y, z) => {
        const [a, b, c] = [x, y, z].sort((p, q) => p.getTime() - q.getTime()) as [Date, Date, Date];

        const whole = calendar.workingMinutesBetween(a, c);
        const parts = calendar.workingMinutesBetween(a, b) + calendar.workingMinutesBetween(b, c);

        expect(Math.abs(whole - parts)).toBeLessThanOrEqual(0.011);
      }),
      { numRuns: 300 },
    );
  });
});
