import { at, londonCalendar } from './factories';

describe('describeNextOpening', () => {
  const calendar = londonCalendar();

  it('reads as "from 9:00 on Monday 7 December" after hours on Friday 4 December 2026', () => {
    const text = calendar.describeNextOpening(at('2026-12-04T18:00:00Z'));

    expect(`from ${text}`).toBe('from 9:00 on Monday 7 December');
  });

  it('names the Tuesday after Christmas 2026', () => {
    expect(calendar.describeNextOpening(at('2026-12-24T17:30:00Z'))).toBe(
      '9:00 on Tuesday 29 December',
    );
  });

  it('gives local time in summer, not UTC', () => {
    expect(calendar.describeNextOpening(at('2026-07-03T20:00:00Z'))).toBe('9:00 on Monday 6 July');
  });

  it('describes the present moment when already open', () => {
    expect(calendar.describeNextOpening(at('2026-12-04T14:30:00Z'))).toBe(
      '14:30 on Friday 4 December',
    );
  });

  it('reads the time in the calendar zone', () => {
    const newYork = londonCalendar({ timeZone: 'America/New_York', closedDates: [] });

    expect(newYork.describeNextOpening(at('2026-12-04T23:00:00Z'))).toBe(
      '9:00 on Monday 7 December',
    );
  });

  it('adds the year when the opening is more than 300 days away', () => {
    const mondays: string[] = [];
    for (let ms = Date.UTC(2026, 11, 7); ms < Date.UTC(2027, 10, 1); ms += 7 * 86_400_000) {
      mondays.push(new Date(ms).toISOString().slice(0, 10));
    }
    const mondaysOnly = londonCalendar({ days: [1], closedDates: mondays });

    expect(mondaysOnly.describeNextOpening(at('2026-12-04T18:00:00Z'))).toBe(
      '9:00 on Monday 1 November 2027',
    );
  });
});

describe('describeHours', () => {
  it('says "Monday to Friday, 9:00 to 17:00 UK time" by default', () => {
    expect(londonCalendar().describeHours()).toBe('Monday to Friday, 9:00 to 17:00 UK time');
  });

  it('lists separate days and keeps minutes', () => {
    const calendar = londonCalendar({
      days: [1, 3, 5],
      opens: { hour: 8, minute: 30 },
      closes: { hour: 16, minute: 45 },
    });

    expect(calendar.describeHours()).toBe('Monday, Wednesday and Friday, 8:30 to 16:45 UK time');
  });

  it('joins runs with single days', () => {
    expect(londonCalendar({ days: [1, 2, 3, 5] }).describeHours()).toMatch(
      /^Monday to Wednesday and Friday,/,
    );
    expect(londonCalendar({ days: [6, 7] }).describeHours()).toMatch(/^Saturday and Sunday,/);
  });

  it('keeps a run across the weekend whole', () => {
    expect(londonCalendar({ days: [1, 5, 6, 7] }).describeHours()).toMatch(/^Friday to Monday,/);
  });

  it('describes an always-open calendar', () => {
    const calendar = londonCalendar({
      days: [1, 2, 3, 4, 5, 6, 7],
      opens: { hour: 0, minute: 0 },
      closes: { hour: 24, minute: 0 },
    });

    expect(calendar.describeHours()).toBe('every day, at any hour UK time');
  });

  it('names a zone other than London', () => {
    expect(londonCalendar({ timeZone: 'America/New_York' }).describeHours()).toBe(
      'Monday to Friday, 9:00 to 17:00 America/New_York time',
    );
  });
});
