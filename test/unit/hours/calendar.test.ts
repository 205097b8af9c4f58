import { AppError, hasCode } from '../../../src/errors';
import { createCalendar, NEVER } from '../../../src/hours';
import { alwaysOpenCalendar, at, londonCalendar, londonSettings, thrownBy } from './factories';

// December and January are GMT (UTC+0); late March to late October is BST (UTC+1).

describe('isOpen', () => {
  const calendar = londonCalendar();

  it('is open at 09:00:00 exactly and closed at 08:59:59', () => {
    expect(calendar.isOpen(at('2026-12-03T09:00:00Z'))).toBe(true);
    expect(calendar.isOpen(at('2026-12-03T08:59:59Z'))).toBe(false);
  });

  it('is open at 16:59:59 and closed at 17:00:00 exactly', () => {
    expect(calendar.isOpen(at('2026-12-03T16:59:59Z'))).toBe(true);
    expect(calendar.isOpen(at('2026-12-03T16:59:59.999Z'))).toBe(true);
    expect(calendar.isOpen(at('2026-12-03T17:00:00Z'))).toBe(false);
  });

  it('reads the hours in London summer time', () => {
    expect(calendar.isOpen(at('2026-07-01T07:59:59Z'))).toBe(false);
    expect(calendar.isOpen(at('2026-07-01T08:00:00Z'))).toBe(true);
    expect(calendar.isOpen(at('2026-07-01T15:59:59Z'))).toBe(true);
    expect(calendar.isOpen(at('2026-07-01T16:00:00Z'))).toBe(false);
  });

  it('is closed all weekend', () => {
    expect(calendar.isOpen(at('2026-12-05T12:00:00Z'))).toBe(false);
    expect(calendar.isOpen(at('2026-12-06T12:00:00Z'))).toBe(false);
  });

  it('is closed on Christmas Day and the Boxing Day substitute of 2026', () => {
    expect(calendar.isOpen(at('2026-12-24T12:00:00Z'))).toBe(true);
    expect(calendar.isOpen(at('2026-12-25T12:00:00Z'))).toBe(false);
    expect(calendar.isOpen(at('2026-12-28T12:00:00Z'))).toBe(false);
    expect(calendar.isOpen(at('2026-12-29T12:00:00Z'))).toBe(true);
  });

  it('uses the local date, not the UTC date, to decide the day', () => {
    const tokyo = londonCalendar({ timeZone: 'Asia/Tokyo', closedDates: [] });

    // Sunday 23:30 UTC is Monday 08:30 in Tokyo; Monday 00:30 UTC is Monday 09:30 there.
    expect(tokyo.isOpen(at('2026-12-06T23:30:00Z'))).toBe(false);
    expect(tokyo.isOpen(at('2026-12-07T00:30:00Z'))).toBe(true);
  });
});

describe('nextOpening', () => {
  const calendar = londonCalendar();

  it('returns the instant itself when open', () => {
    const now = at('2026-12-03T13:14:15.678Z');

    expect(calendar.nextOpening(now)).toEqual(now);
  });

  it('moves a request at 08:59:59 to 09:00 the same day', () => {
    expect(calendar.nextOpening(at('2026-12-03T08:59:59Z'))).toEqual(at('2026-12-03T09:00:00Z'));
  });

  it('moves Friday 17:00 to Monday 09:00', () => {
    expect(calendar.nextOpening(at('2026-12-04T17:00:00Z'))).toEqual(at('2026-12-07T09:00:00Z'));
  });

  it('moves Friday 16:59:59 nowhere', () => {
    expect(calendar.nextOpening(at('2026-12-04T16:59:59Z'))).toEqual(at('2026-12-04T16:59:59Z'));
  });

  it('opens at 9:00 BST (08:00Z) on the Monday after clocks go forward', () => {
    const noHolidays = londonCalendar({ closedDates: [] });

    expect(noHolidays.nextOpening(at('2027-03-28T12:00:00Z'))).toEqual(at('2027-03-29T08:00:00Z'));
    expect(calendar.nextOpening(at('2026-03-29T12:00:00Z'))).toEqual(at('2026-03-30T08:00:00Z'));
  });

  it('skips Easter Monday 2027, the day after clocks go forward', () => {
    expect(calendar.nextOpening(at('2027-03-28T12:00:00Z'))).toEqual(at('2027-03-30T08:00:00Z'));
  });

  it('opens at 9:00 GMT (09:00Z) on the Monday after clocks go back', () => {
    expect(calendar.nextOpening(at('2026-10-25T12:00:00Z'))).toEqual(at('2026-10-26T09:00:00Z'));
    expect(calendar.nextOpening(at('2026-10-23T16:00:00Z'))).toEqual(at('2026-10-26T09:00:00Z'));
  });

  it('skips Christmas and the Boxing Day substitute after Thursday 24 December 2026', () => {
    expect(calendar.nextOpening(at('2026-12-24T17:00:00Z'))).toEqual(at('2026-12-29T09:00:00Z'));
  });

  it('skips both substitute days of Christmas 2027', () => {
    expect(calendar.nextOpening(at('2027-12-24T17:00:00Z'))).toEqual(at('2027-12-29T09:00:00Z'));
  });

  it('skips the New Year substitute on Monday 3 January 2028', () => {
    expect(calendar.nextOpening(at('2027-12-31T17:00:00Z'))).toEqual(at('2028-01-04T09:00:00Z'));
  });

  it('treats Boxing Day 2028, a Tuesday, as closed', () => {
    expect(calendar.nextOpening(at('2028-12-22T17:00:00Z'))).toEqual(at('2028-12-27T09:00:00Z'));
  });

  it('places the opening in the calendar zone', () => {
    const newYork = londonCalendar({ timeZone: 'America/New_York', closedDates: [] });

    // Friday 17:00 EST is 22:00Z; Monday 09:00 EST is 14:00Z.
    expect(newYork.nextOpening(at('2026-12-04T22:00:00Z'))).toEqual(at('2026-12-07T14:00:00Z'));
  });

  it('stops with CALENDAR_INVALID when closed dates shut every working day for years', () => {
    const everyDay: string[] = [];
    for (let ms = Date.UTC(2026, 0, 1); ms < Date.UTC(2029, 0, 1); ms += 86_400_000) {
      everyDay.push(new Date(ms).toISOString().slice(0, 10));
    }
    const shut = londonCalendar({ closedDates: everyDay });

    expect(() => shut.nextOpening(at('2026-06-01T12:00:00Z'))).toThrow(AppError);
    expect(() => shut.nextOpening(at('2026-06-01T12:00:00Z'))).toThrow(/no opening/);
  });
});

describe('nextClosing', () => {
  const calendar = londonCalendar();

  it('returns 17:00 the same day when open', () => {
    expect(calendar.nextClosing(at('2026-12-04T09:00:00Z'))).toEqual(at('2026-12-04T17:00:00Z'));
  });

  it('returns the instant itself when closed', () => {
    const evening = at('2026-12-04T17:00:00Z');

    expect(calendar.nextClosing(evening)).toEqual(evening);
  });

  it('joins days that run to midnight into one stretch', () => {
    const weekdaysAllDay = londonCalendar({
      opens: { hour: 0, minute: 0 },
      closes: { hour: 24, minute: 0 },
    });

    // Monday 30 November 2026 to the end of Friday 4 December, London (GMT).
    expect(weekdaysAllDay.nextClosing(at('2026-11-30T10:00:00Z'))).toEqual(
      at('2026-12-05T00:00:00Z'),
    );
  });

  it('returns NEVER for an always-open calendar', () => {
    expect(alwaysOpenCalendar().nextClosing(at('2026-12-04T10:00:00Z'))).toEqual(NEVER);
  });
});

describe('createCalendar', () => {
  it('refuses a calendar with no working day', () => {
    const build = () => createCalendar(londonSettings({ days: [] }));

    expect(build).toThrow(/no working day/);
    expect(hasCode(thrownBy(build), 'CALENDAR_INVALID')).toBe(true);
  });

  it('refuses opening hours that open and close at the same minute', () => {
    const build = () =>
      createCalendar(
        londonSettings({ opens: { hour: 9, minute: 0 }, closes: { hour: 9, minute: 0 } }),
      );

    expect(build).toThrow(/no working hour/);
  });

  it('refuses a zone that is not IANA, weekday 8 and a malformed date, all at once', () => {
    const build = () =>
      createCalendar(
        londonSettings({ timeZone: 'Mars/Olympus', days: [1, 8], closedDates: ['2026-02-30'] }),
      );

    expect(build).toThrow(/Mars\/Olympus.*weekdays.*2026-02-30/);
  });

  it('treats 00:00-24:00 every day as always open', () => {
    const calendar = alwaysOpenCalendar();

    expect(calendar.isOpen(at('2026-12-25T00:00:00Z'))).toBe(true);
    expect(calendar.isOpen(at('2027-03-28T01:30:00Z'))).toBe(true);
    expect(calendar.nextOpening(at('2026-12-26T03:00:00Z'))).toEqual(at('2026-12-26T03:00:00Z'));
  });

  it('freezes its settings so a caller cannot change a live calendar', () => {
    const settings = londonSettings();
    const calendar = createCalendar(settings);

    settings.days.push(6);

    expect(calendar.settings.days).toEqual([1, 2, 3, 4, 5]);
    expect(Object.isFrozen(calendar.settings.closedDates)).toBe(true);
  });
});

describe('fingerprint', () => {
  it('is equal for equal settings, whatever the order of days and dates', () => {
    const a = londonCalendar({ days: [5, 4, 3, 2, 1], closedDates: ['2026-12-31', '2026-12-24'] });
    const b = londonCalendar({ days: [1, 2, 3, 4, 5], closedDates: ['2026-12-24', '2026-12-31'] });

    expect(a.fingerprint).toBe(b.fingerprint);
    expect(a.fingerprint).toMatch(/^[0-9a-f]{16}$/);
  });

  it('changes when the hours, zone, days or closed dates change', () => {
    const base = londonCalendar().fingerprint;

    expect(londonCalendar({ closes: { hour: 17, minute: 30 } }).fingerprint).not.toBe(base);
    expect(londonCalendar({ timeZone: 'Europe/Dublin' }).fingerprint).not.toBe(base);
    expect(londonCalendar({ days: [1, 2, 3, 4] }).fingerprint).not.toBe(base);
    expect(londonCalendar({ closedDates: ['2026-12-24'] }).fingerprint).not.toBe(base);
  });
});

describe('hours that meet a clock change', () => {
  const sundayNight = londonCalendar({
    opens: { hour: 1, minute: 30 },
    closes: { hour: 4, minute: 0 },
    days: [7],
    closedDates: [],
  });

  it('opens at the time luxon places after the spring gap', () => {
    // 01:30 does not exist on 28 March 2027; the period starts at 02:30 BST (01:30Z).
    expect(sundayNight.nextOpening(at('2027-03-28T00:00:00Z'))).toEqual(at('2027-03-28T01:30:00Z'));
  });

  it('opens at the second 01:30 when clocks go back (a documented limit)', () => {
    // 01:30 happens at 00:30Z (BST) and again at 01:30Z (GMT) on 25 October 2026.
    expect(sundayNight.isOpen(at('2026-10-25T00:30:00Z'))).toBe(false);
    expect(sundayNight.isOpen(at('2026-10-25T01:30:00Z'))).toBe(true);
  });
});
