import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { hasCode } from '../../../src/errors';
import {
  createCalendar,
  DEFAULT_CLOSED_DATES,
  readCalendarSettings,
  type CalendarEnv,
} from '../../../src/hours';
import { thrownBy } from './factories';

/** Reads BUSINESS_CLOSED_DATES_FILE from memory: the file is named 'closed.txt'. */
function withFile(text: string) {
  return (path: string): string => {
    if (path !== 'closed.txt') throw new Error(`ENOENT: no such file, open '${path}'`);
    return text;
  };
}

function messageOf(env: CalendarEnv, readFile = withFile('')): string {
  const err = thrownBy(() => readCalendarSettings(env, readFile));
  expect(hasCode(err, 'CALENDAR_INVALID')).toBe(true);
  return err instanceof Error ? err.message : '';
}

describe('readCalendarSettings', () => {
  describe('defaults', () => {
    it('gives London, 09:00-17:00, Monday to Friday and the shipped bank holidays', () => {
      const settings = readCalendarSettings({});

      expect(settings).toEqual({
        timeZone: 'Europe/London',
        opens: { hour: 9, minute: 0 },
        closes: { hour: 17, minute: 0 },
        days: [1, 2, 3, 4, 5],
        closedDates: DEFAULT_CLOSED_DATES.map((entry) => entry.date),
      });
    });

    it('treats blank values as unset', () => {
      const blank = { BUSINESS_TIMEZONE: ' ', BUSINESS_HOURS: '', BUSINESS_DAYS: '' };

      expect(readCalendarSettings(blank)).toEqual(readCalendarSettings({}));
    });
  });

  describe('BUSINESS_TIMEZONE', () => {
    it('accepts an IANA zone', () => {
      expect(readCalendarSettings({ BUSINESS_TIMEZONE: 'America/New_York' }).timeZone).toBe(
        'America/New_York',
      );
    });

    it('names the variable when the zone is unknown', () => {
      expect(messageOf({ BUSINESS_TIMEZONE: 'Mars/Olympus' })).toContain(
        'BUSINESS_TIMEZONE must be an IANA time zone',
      );
    });
  });

  describe('BUSINESS_HOURS', () => {
    it('reads hours and minutes, with or without a leading zero', () => {
      const settings = readCalendarSettings({ BUSINESS_HOURS: '8:30 - 16:45' });

      expect(settings.opens).toEqual({ hour: 8, minute: 30 });
      expect(settings.closes).toEqual({ hour: 16, minute: 45 });
    });

    it('allows 24:00 as the closing time', () => {
      expect(readCalendarSettings({ BUSINESS_HOURS: '00:00-24:00' }).closes).toEqual({
        hour: 24,
        minute: 0,
      });
    });

    it('quotes the bad value and the expected form', () => {
      expect(messageOf({ BUSINESS_HOURS: '9-5pm' })).toBe(
        'BUSINESS_HOURS must look like 09:00-17:00 (got "9-5pm")',
      );
    });

    it.each(['09:60-17:00', '24:00-24:00', '09:00-24:30', '09:00-25:00', '0900-1700'])(
      'refuses %s',
      (value) => {
        expect(messageOf({ BUSINESS_HOURS: value })).toContain('BUSINESS_HOURS must look like');
      },
    );

    it('refuses hours that close before they open', () => {
      expect(messageOf({ BUSINESS_HOURS: '17:00-09:00' })).toContain(
        'BUSINESS_HOURS must close after it opens',
      );
    });

    it('refuses hours that leave no working time', () => {
      expect(messageOf({ BUSINESS_HOURS: '09:00-09:00' })).toContain(
        'BUSINESS_HOURS opens and closes',
      );
    });
  });

  describe('BUSINESS_DAYS', () => {
    it.each([
      ['Mon-Fri', [1, 2, 3, 4, 5]],
      ['mon,wed,FRI', [1, 3, 5]],
      ['Sat-Sun', [6, 7]],
      ['Mon-Sun', [1, 2, 3, 4, 5, 6, 7]],
      ['Fri-Mon', [1, 5, 6, 7]],
      ['Tuesday-Thurs', [2, 3, 4]],
      ['Mon-Wed, Fri', [1, 2, 3, 5]],
      ['Sun', [7]],
    ])('reads %s', (value, days) => {
      expect(readCalendarSettings({ BUSINESS_DAYS: value }).days).toEqual(days);
    });

    it.each(['Funday', 'Mon-Wed-Fri', 'Mo-Fr', 'Mon,,Fri', '1-5'])('refuses %s', (value) => {
      expect(messageOf({ BUSINESS_DAYS: value })).toBe(
        `BUSINESS_DAYS must look like Mon-Fri or Mon,Wed,Fri (got "${value}")`,
      );
    });
  });

  describe('BUSINESS_CLOSED_DATES_FILE', () => {
    it('replaces the shipped list with the dates of a text file', () => {
      const text = [
        '# company closures',
        '2026-12-24 Christmas Eve',
        '',
        '2026-12-31\tNew Year Eve  # half day, closed anyway',
        '2026-12-24',
      ].join('\r\n');

      const settings = readCalendarSettings(
        { BUSINESS_CLOSED_DATES_FILE: 'closed.txt' },
        withFile(text),
      );

      expect(settings.closedDates).toEqual(['2026-12-24', '2026-12-31']);
    });

    it('reads a JSON array of strings or of {date, name}', () => {
      const strings = '["2027-01-02", "2026-12-24"]';
      const objects = '[{"date": "2026-12-24", "name": "Christmas Eve"}, {"date": "2027-01-02"}]';

      const fromStrings = readCalendarSettings(
        { BUSINESS_CLOSED_DATES_FILE: 'closed.txt' },
        withFile(strings),
      );
      const fromObjects = readCalendarSettings(
        { BUSINESS_CLOSED_DATES_FILE: 'closed.txt' },
        withFile(objects),
      );

      expect(fromStrings.closedDates).toEqual(['2026-12-24', '2027-01-02']);
      expect(fromObjects.closedDates).toEqual(['2026-12-24', '2027-01-02']);
    });

    it('names the file and line of a bad date', () => {
      const text = '# closures\n2026-12-24\n24/12/2026 Christmas Eve\n';

      const message = messageOf({ BUSINESS_CLOSED_DATES_FILE: 'closed.txt' }, withFile(text));

      expect(message).toBe(
        'BUSINESS_CLOSED_DATES_FILE closed.txt line 3: expected a date like 2026-12-25 (got "24/12/2026")',
      );
    });

    it('refuses a date that does not exist', () => {
      const message = messageOf(
        { BUSINESS_CLOSED_DATES_FILE: 'closed.txt' },
        withFile('2026-02-30'),
      );

      expect(message).toContain('line 1');
    });

    it('names the array item of a bad JSON entry', () => {
      const json = '["2026-12-24", {"name": "no date"}]';

      expect(messageOf({ BUSINESS_CLOSED_DATES_FILE: 'closed.txt' }, withFile(json))).toContain(
        'BUSINESS_CLOSED_DATES_FILE closed.txt item 2',
      );
    });

    it('reports JSON that does not parse', () => {
      expect(
        messageOf({ BUSINESS_CLOSED_DATES_FILE: 'closed.txt' }, withFile('["2026-12-24"')),
      ).toContain('BUSINESS_CLOSED_DATES_FILE closed.txt is not valid JSON');
    });

    it('reports a file that cannot be read', () => {
      expect(messageOf({ BUSINESS_CLOSED_DATES_FILE: 'missing.txt' })).toContain(
        'BUSINESS_CLOSED_DATES_FILE missing.txt could not be read',
      );
    });

    it('reads a real file from disk by default', () => {
      const dir = mkdtempSync(join(tmpdir(), 'ams-hours-'));
      const path = join(dir, 'closed-dates.txt');
      writeFileSync(path, '2026-12-24 Christmas Eve\n');

      try {
        expect(readCalendarSettings({ BUSINESS_CLOSED_DATES_FILE: path }).closedDates).toEqual([
          '2026-12-24',
        ]);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });
  });

  describe('BUSINESS_EXTRA_CLOSED_DATES', () => {
    it('adds dates to the shipped list, sorted and without repeats', () => {
      const settings = readCalendarSettings({
        BUSINESS_EXTRA_CLOSED_DATES: '2026-12-31, 2026-12-24,2026-12-25',
      });

      expect(settings.closedDates).toContain('2026-12-24');
      expect(settings.closedDates).toContain('2026-12-31');
      expect(settings.closedDates).toEqual([...new Set(settings.closedDates)].sort());
      expect(settings.closedDates).toHaveLength(DEFAULT_CLOSED_DATES.length + 2);
    });

    it('adds to the operator file too', () => {
      const settings = readCalendarSettings(
        { BUSINESS_CLOSED_DATES_FILE: 'closed.txt', BUSINESS_EXTRA_CLOSED_DATES: '2027-01-04' },
        withFile('2026-12-24'),
      );

      expect(settings.closedDates).toEqual(['2026-12-24', '2027-01-04']);
    });

    it('names the variable for a bad date', () => {
      expect(messageOf({ BUSINESS_EXTRA_CLOSED_DATES: '2026-12-24,tomorrow' })).toBe(
        'BUSINESS_EXTRA_CLOSED_DATES must be comma-separated dates like 2026-12-24 (got "tomorrow")',
      );
    });
  });

  it('reports every bad variable in one error', () => {
    const message = messageOf({
      BUSINESS_TIMEZONE: 'Nowhere',
      BUSINESS_HOURS: 'nine to five',
      BUSINESS_DAYS: 'weekdays',
    });

    expect(message).toMatch(/BUSINESS_TIMEZONE.*; BUSINESS_HOURS.*; BUSINESS_DAYS/);
  });

  it('gives settings that make a calendar', () => {
    const settings = readCalendarSettings({
      BUSINESS_HOURS: '00:00-24:00',
      BUSINESS_DAYS: 'Mon-Sun',
    });

    expect(createCalendar(settings).isOpen(new Date('2026-12-25T03:00:00Z'))).toBe(false);
    expect(
      createCalendar({ ...settings, closedDates: [] }).isOpen(new Date('2026-12-25T03:00:00Z')),
    ).toBe(true);
  });
});
