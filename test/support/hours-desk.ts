import { randomBytes } from 'node:crypto';
import { DateTime } from 'luxon';
import { loadConfig, type Config } from '../../src/config';
import { migrate, openDatabase } from '../../src/db/data-source';
import { appendMessages, mailboxOf } from '../../src/ingest/append-messages';
import { createLogger } from '../../src/log';
import { startService, type RunningService } from '../../workers/service';
import { dropTestState, isolatedEnv, startSmtpCapture } from './harness';

/** The zone every working-hours integration test reasons in. */
export const LONDON = 'Europe/London';

/**
 * A running service whose calendar a test can change: `restart` stops it and starts it again
 * with other settings against the same schema, queue prefix, mailbox and SMTP capture, the way
 * an operator redeploys with a new BUSINESS_HOURS while work waits.
 */
export interface HoursDesk {
  readonly id: string;
  readonly config: Config;
  readonly service: RunningService;
  readonly smtp: Awaited<ReturnType<typeof startSmtpCapture>>;
  append(...messages: string[]): Promise<void>;
  restart(env: Record<string, string>): Promise<void>;
  stop(): Promise<void>;
}

/** Like the harness's startTestDesk, but the service can be restarted with new settings. */
export async function startHoursDesk(env: Record<string, string>): Promise<HoursDesk> {
  const id = randomBytes(5).toString('hex');
  const smtp = await startSmtpCapture();
  const baseEnv = hoursEnv(id, smtp.url);
  let config = loadDeskConfig({ ...baseEnv, ...env });
  await migrateSchema(config);
  let service = await startService(config, createLogger(config.LOG_LEVEL));

  const mailbox = mailboxOf(config);
  return {
    id,
    smtp,
    get config() {
      return config;
    },
    get service() {
      return service;
    },
    append: async (...messages) => {
      await appendMessages(
        mailbox,
        messages.map((m) => Buffer.from(m)),
      );
    },
    restart: async (changes) => {
      await service.shutdown();
      config = loadDeskConfig({ ...baseEnv, ...env, ...changes });
      service = await startService(config, createLogger(config.LOG_LEVEL));
    },
    stop: async () => {
      await service.shutdown();
      await smtp.close();
      await dropTestState(config);
    },
  };
}

/** The harness's isolated desk, timed for these tests. */
function hoursEnv(id: string, smtpUrl: string): Record<string, string> {
  return {
    ...isolatedEnv(id, smtpUrl),
    IMAP_RECONCILE_MS: '2000',
    SMTP_RETRY_BASE_MS: '200',
    HTTP_PORT: '0',
    BUSINESS_TIMEZONE: LONDON,
    // Long, so a promotion at the opening is the delayed review job's work, not the sweeper's.
    RECONCILE_INTERVAL_MS: '600000',
  };
}

function loadDeskConfig(env: Record<string, string>): Config {
  return loadConfig(env, ['database', 'redis', 'imap', 'smtp', 'support']);
}

async function migrateSchema(config: Config): Promise<void> {
  const dataSource = await openDatabase({
    url: config.DATABASE_URL,
    schema: config.DATABASE_SCHEMA,
  });
  await migrate(dataSource);
  await dataSource.destroy();
}

/** An opening time a test can wait for: a whole London minute later today. */
export interface Opening {
  at: Date;
  /** 'HH:MM', as BUSINESS_HOURS takes it. */
  clock: string;
  /** How the product's emails name it: '16:12 on Friday 4 December'. */
  described: string;
}

/**
 * The first whole London minute at least `leadMs` after `now`, plus `extraMinutes`. Null when
 * it would fall less than `marginMinutes` before midnight, since the calendar the tests build
 * closes at 24:00 and a test needs open time after the opening to act in.
 */
export function openingAfter(
  now: Date,
  options: { leadMs: number; extraMinutes?: number; marginMinutes: number },
): Opening | null {
  const local = DateTime.fromJSDate(now).setZone(LONDON);
  let opening = local.startOf('minute').plus({ minutes: 1 });
  if (opening.toMillis() - now.getTime() < options.leadMs) opening = opening.plus({ minutes: 1 });
  opening = opening.plus({ minutes: options.extraMinutes ?? 0 });

  const midnight = local.startOf('day').plus({ days: 1 });
  if (midnight.diff(opening, 'minutes').minutes < options.marginMinutes) return null;
  return {
    at: opening.toJSDate(),
    clock: opening.toFormat('HH:mm'),
    described: describeLondon(opening),
  };
}

/** Written out by hand rather than with the product's formatter, so the test checks it. */
function describeLondon(at: DateTime): string {
  const en = at.setLocale('en-GB');
  return `${en.hour}:${en.toFormat('mm')} on ${en.weekdayLong} ${en.day} ${en.monthLong}`;
}

/** Sleeps until `at` (real time), for assertions about what has not happened before it. */
export async function sleepUntil(at: Date): Promise<void> {
  const ms = at.getTime() - Date.now();
  if (ms > 0) await new Promise((resolve) => setTimeout(resolve, ms));
}
