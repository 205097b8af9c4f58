import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { join } from 'node:path';
import { DateTime } from 'luxon';
import * as hours from '../../../src/hours';

/*
 * Jest fixes the host zone when its process starts, and the test sandbox keeps its own copy of
 * process.env, so changing TZ here has no effect. Each host zone therefore gets a child Node
 * process that loads the calendar source through TypeScript's transpiler and prints its answers.
 */

const HOURS_MODULE = join(__dirname, '../../../src/hours/index.ts');
const HOST_ZONES = [
  'UTC',
  'America/New_York',
  'Asia/Kolkata',
  'Pacific/Chatham',
  'Australia/Lord_Howe',
];

/** Runs in the child: registers a .ts loader, then answers a fixed battery of questions. */
const CHILD_SCRIPT = `
const fs = require('node:fs');
const ts = require('typescript');
require.extensions['.ts'] = (module, filename) => {
  const source = fs.readFileSync(filename, 'utf8');
  const options = { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, esModuleInterop: true };
  module._compile(ts.transpileModule(source, { compilerOptions: options }).outputText, filename);
};
const hours = require(process.argv[1]);
const battery = new Function('hours', 'return (' + process.argv[2] + ')(hours)');
const hostOffset = new Date(Date.UTC(2026, 0, 1)).getTimezoneOffset();
process.stdout.write(JSON.stringify({ hostOffset, answers: battery(hours) }));
`;

/** Questions asked in every zone: they span DST changes, Christmas and ordinary weeks. */
function askBattery(lib: typeof hours): unknown[] {
  const calendar = lib.createCalendar({
    timeZone: 'Europe/London',
    opens: { hour: 9, minute: 0 },
    closes: { hour: 17, minute: 0 },
    days: [1, 2, 3, 4, 5],
    closedDates: lib.DEFAULT_CLOSED_DATES.map((entry) => entry.date),
  });
  const answers: unknown[] = [calendar.fingerprint, calendar.describeHours()];
  const stepMs = (7 * 60 + 13) * 60_000;
  for (let ms = Date.UTC(2026, 2, 20); ms < Date.UTC(2027, 3, 10); ms += stepMs) {
    const from = new Date(ms);
    answers.push([
      calendar.isOpen(from),
      calendar.nextOpening(from).toISOString(),
      calendar.nextClosing(from).toISOString(),
      calendar.workingMinutesBetween(from, new Date(ms + 3 * 86_400_000)),
      calendar.describeNextOpening(from),
    ]);
  }
  return answers;
}

interface ChildAnswers {
  hostOffset: number;
  answers: unknown[];
}

async function askInChild(hostZone: string): Promise<ChildAnswers> {
  const { stdout } = await promisify(execFile)(
    process.execPath,
    ['-e', CHILD_SCRIPT, HOURS_MODULE, askBattery.toString()],
    { env: { ...process.env, TZ: hostZone, LC_ALL: 'de_DE.UTF-8' }, encoding: 'utf8' },
  );
  return JSON.parse(stdout) as ChildAnswers;
}

describe('host time zone', () => {
  const expected = askBattery(hours);
  const children = new Map<string, ChildAnswers>();

  // The children run side by side; each spends most of its second loading TypeScript.
  beforeAll(async () => {
    const results = await Promise.all(HOST_ZONES.map(askInChild));
    HOST_ZONES.forEach((zone, index) => children.set(zone, results[index] as ChildAnswers));
  }, 30_000);

  it.each(HOST_ZONES)('gives the same answers on a host in %s, with a German locale', (zone) => {
    const hostOffset = 0 - DateTime.fromMillis(Date.UTC(2026, 0, 1), { zone }).offset;

    const child = children.get(zone);

    expect(child?.hostOffset).toBe(hostOffset);
    expect(child?.answers).toEqual(expected);
  });
});
