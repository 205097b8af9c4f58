import type { DateTime } from 'luxon';
import { WEEKDAY_NAMES, minutesOfDay, type CalendarSettings } from './calendar-settings';

/** Beyond this many days away, a described opening also names its year. */
const YEAR_SHOWN_AFTER_DAYS = 300;

/**
 * '9:00 on Monday 7 December', read in the calendar's zone; the caller adds 'from'. The date and
 * names are English whatever the host locale, because the texts they go into are English.
 */
export function describeOpeningInstant(opening: DateTime, from: DateTime): string {
  const showYear = opening.diff(from, 'days').days > YEAR_SHOWN_AFTER_DAYS;
  const format = showYear ? "H:mm 'on' EEEE d MMMM yyyy" : "H:mm 'on' EEEE d MMMM";
  return opening.setLocale('en-GB').toFormat(format);
}

/** 'Monday to Friday, 9:00 to 17:00 UK time'. */
export function describeWorkingHours(settings: CalendarSettings): string {
  const isWholeDay = minutesOfDay(settings.opens) === 0 && minutesOfDay(settings.closes) === 1440;
  const hours = isWholeDay
    ? 'at any hour'
    : `${formatTime(settings.opens)} to ${formatTime(settings.closes)}`;
  return `${describeDays(settings.days)}, ${hours} ${zoneLabel(settings.timeZone)}`;
}

/** 'every day', 'Monday to Friday', 'Monday, Wednesday and Friday', 'Saturday and Sunday'. */
export function describeDays(days: readonly number[]): string {
  const unique = [...new Set(days)];
  if (unique.length === 7) return 'every day';

  const phrases = workingRuns(unique).flatMap((run) =>
    run.length >= 3
      ? [`${WEEKDAY_NAMES[run[0] ?? 1]} to ${WEEKDAY_NAMES[run[run.length - 1] ?? 1]}`]
      : run.map((day) => WEEKDAY_NAMES[day] ?? ''),
  );
  return joinAsList(phrases);
}

/**
 * Groups the days into runs of consecutive weekdays, starting after a closed day, so a run that
 * crosses the weekend ('Friday to Monday') stays whole. Expects fewer than seven days.
 */
function workingRuns(days: readonly number[]): number[][] {
  const isWorking = (day: number): boolean => days.includes(day);
  const firstAfterGap = [1, 2, 3, 4, 5, 6, 7].find(
    (day) => isWorking(day) && !isWorking(previousDay(day)),
  );

  const runs: number[][] = [];
  let day = firstAfterGap ?? 1;
  for (let step = 0; step < 7; step++, day = nextDay(day)) {
    if (!isWorking(day)) continue;
    const current = runs[runs.length - 1];
    if (current && current[current.length - 1] === previousDay(day)) current.push(day);
    else runs.push([day]);
  }
  return runs;
}

function nextDay(day: number): number {
  return (day % 7) + 1;
}

function previousDay(day: number): number {
  return ((day + 5) % 7) + 1;
}

function joinAsList(items: string[]): string {
  if (items.length <= 1) return items.join('');
  return `${items.slice(0, -1).join(', ')} and ${items[items.length - 1]}`;
}

function formatTime(time: { hour: number; minute: number }): string {
  return `${time.hour}:${String(time.minute).padStart(2, '0')}`;
}

/** Users in the UK know their clock as 'UK time'; anywhere else the zone name is clearest. */
function zoneLabel(timeZone: string): string {
  return timeZone === 'Europe/London' ? 'UK time' : `${timeZone} time`;
}
