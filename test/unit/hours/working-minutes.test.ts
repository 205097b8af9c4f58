import { alwaysOpenCalendar, at, londonCalendar } from './factories';

describe('workingMinutesBetween', () => {
  const calendar = londonCalendar();

  it('counts only the open part of a single day', () => {
    expect(
      calendar.workingMinutesBetween(at('2026-12-03T08:00:00Z'), at('2026-12-03T10:15:00Z')),
    ).toBe(75);
  });

  it('counts a whole working week as five eight-hour days', () => {
    expect(
      calendar.workingMinutesBetween(at('2026-11-30T00:00:00Z'), at('2026-12-07T00:00:00Z')),
    ).toBe(5 * 480);
  });

  it('skips the night and the weekend between Friday 16:00 and Monday 10:00', () => {
    expect(
      calendar.workingMinutesBetween(at('2026-12-04T16:00:00Z'), at('2026-12-07T10:00:00Z')),
    ).toBe(120);
  });

  it('skips Christmas Day and the Boxing Day substitute', () => {
    expect(
      calendar.workingMinutesBetween(at('2026-12-24T16:30:00Z'), at('2026-12-29T09:30:00Z')),
    ).toBe(60);
  });

  it('counts 9:00 local on the Monday after clocks go forward as the start of the day', () => {
    // Friday 16:00 GMT to Monday 10:00 BST (09:00Z): one hour on each side of the weekend.
    expect(
      calendar.workingMinutesBetween(at('2026-03-27T16:00:00Z'), at('2026-03-30T09:00:00Z')),
    ).toBe(120);
  });

  it('counts 9:00 local on the Monday after clocks go back as the start of the day', () => {
    // Friday 16:00 BST (15:00Z) to Monday 10:00 GMT (10:00Z).
    expect(
      calendar.workingMinutesBetween(at('2026-10-23T15:00:00Z'), at('2026-10-26T10:00:00Z')),
    ).toBe(120);
  });

  it('counts the 25 real hours of the day clocks go back when always open', () => {
    const sundayStart = at('2026-10-24T23:00:00Z');
    const mondayStart = at('2026-10-26T00:00:00Z');

    expect(alwaysOpenCalendar().workingMinutesBetween(sundayStart, mondayStart)).toBe(25 * 60);
  });

  it('counts the 23 real hours of the day clocks go forward when always open', () => {
    const sundayStart = at('2027-03-28T00:00:00Z');
    const mondayStart = at('2027-03-28T23:00:00Z');

    expect(alwaysOpenCalendar().workingMinutesBetween(sundayStart, mondayStart)).toBe(23 * 60);
  });

  it('gives fractions of a minute rounded to hundredths', () => {
    expect(
      calendar.workingMinutesBetween(at('2026-12-03T10:00:00Z'), at('2026-12-03T10:00:30Z')),
    ).toBe(0.5);
    expect(
      calendar.workingMinutesBetween(at('2026-12-03T10:00:00Z'), at('2026-12-03T10:00:00.100Z')),
    ).toBe(0);
  });

  it('is zero when nothing is open between the two instants', () => {
    expect(
      calendar.workingMinutesBetween(at('2026-12-04T17:00:00Z'), at('2026-12-07T09:00:00Z')),
    ).toBe(0);
  });

  it('is zero when the end is not after the start', () => {
    const noon = at('2026-12-03T12:00:00Z');

    expect(calendar.workingMinutesBetween(noon, noon)).toBe(0);
    expect(calendar.workingMinutesBetween(noon, at('2026-12-03T11:00:00Z'))).toBe(0);
  });
});
