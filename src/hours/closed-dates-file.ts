import { AppError } from '../errors';
import { isIsoDate } from './calendar-settings';

const VARIABLE = 'BUSINESS_CLOSED_DATES_FILE';

/**
 * Reads the operator's closed-dates file. Two forms are accepted:
 * - text: one date per line ('2026-12-25 Christmas Day'); anything after the date is a label,
 *   '#' starts a comment, blank lines are skipped;
 * - JSON: an array of '2026-12-25' strings or of `{ "date": "2026-12-25", "name": "..." }`.
 * Throws CALENDAR_INVALID naming the file and the line (or array item) that is wrong.
 */
export function parseClosedDatesFile(text: string, path: string): string[] {
  const body = text.replace(/^\uFEFF/, '');
  return body.trimStart().startsWith('[') ? parseJsonList(body, path) : parseLines(body, path);
}

function parseLines(text: string, path: string): string[] {
  const dates: string[] = [];

  text.split(/\r?\n/).forEach((rawLine, index) => {
    const line = rawLine.replace(/#.*$/, '').trim();
    if (line === '') return;

    const first = line.split(/\s+/)[0] ?? '';
    if (!isIsoDate(first)) {
      const got = first.slice(0, 40);
      throw invalid(
        `${VARIABLE} ${path} line ${index + 1}: expected a date like 2026-12-25 (got "${got}")`,
        { path, line: index + 1 },
      );
    }
    dates.push(first);
  });
  return dates;
}

function parseJsonList(text: string, path: string): string[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    const reason = err instanceof Error ? err.message : String(err);
    throw invalid(`${VARIABLE} ${path} is not valid JSON: ${reason}`, { path });
  }
  if (!Array.isArray(parsed)) {
    throw invalid(`${VARIABLE} ${path} must hold a JSON array of dates`, { path });
  }

  return parsed.map((item: unknown, index) => {
    const date = dateOfItem(item);
    if (date === undefined || !isIsoDate(date)) {
      throw invalid(
        `${VARIABLE} ${path} item ${index + 1}: expected "2026-12-25" or {"date": "2026-12-25"}`,
        { path, item: index + 1 },
      );
    }
    return date;
  });
}

function dateOfItem(item: unknown): string | undefined {
  if (typeof item === 'string') return item;
  if (typeof item === 'object' && item !== null && 'date' in item) {
    const { date } = item;
    return typeof date === 'string' ? date : undefined;
  }
  return undefined;
}

function invalid(message: string, details: Record<string, unknown>): AppError {
  return new AppError('CALENDAR_INVALID', message, { variable: VARIABLE, ...details });
}
