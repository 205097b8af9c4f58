import type { Redis } from 'ioredis';
import type { DataSource } from 'typeorm';
import type { Config } from './config';
import { assertMigrated, openDatabase } from './db/data-source';
import { createCalendar, readCalendarSettings, type BusinessCalendar } from './hours';
import type { Logger } from './log';
import { createRenderer, defaultTemplatesDir } from './notify/render';
import { checkRedis, connectRedis, createQueues, type QueueSet } from './queue/queues';
import { createQueueScheduler } from './queue/scheduler';
import type { Desk, DeskSettings, Scheduler } from './requests/desk';

type DeskConfig = Omit<
  Config,
  'IMAP_HOST' | 'IMAP_PORT' | 'IMAP_USER' | 'IMAP_PASSWORD' | 'IMAP_TLS' | 'SMTP_URL'
>;

/** The calendar from BUSINESS_* settings; a bad value stops the caller with CALENDAR_INVALID. */
export function calendarFromConfig(
  config: Pick<Config, `BUSINESS_${string}` & keyof Config>,
): BusinessCalendar {
  return createCalendar(
    readCalendarSettings({
      BUSINESS_TIMEZONE: config.BUSINESS_TIMEZONE,
      BUSINESS_HOURS: config.BUSINESS_HOURS,
      BUSINESS_DAYS: config.BUSINESS_DAYS,
      BUSINESS_CLOSED_DATES_FILE: config.BUSINESS_CLOSED_DATES_FILE,
      BUSINESS_EXTRA_CLOSED_DATES: config.BUSINESS_EXTRA_CLOSED_DATES,
    }),
  );
}

export function deskSettings(config: DeskConfig): DeskSettings {
  return {
    supportAddress: config.SUPPORT_ADDRESS,
    authservId: config.AUTHSERV_ID,
    approvalTtlMinutes: config.APPROVAL_TTL_MINUTES,
    caps: {
      accountUnlocks24h: config.CAP_ACCOUNT_UNLOCKS_24H,
      accountUnlocks30d: config.CAP_ACCOUNT_UNLOCKS_30D,
      senderRequests24h: config.CAP_SENDER_REQUESTS_24H,
    },
    parseTimeoutMs: config.PARSE_TIMEOUT_MS,
    maxProcessingAttempts: config.MAX_PROCESSING_ATTEMPTS,
    supervisors: config.SUPERVISOR_AGENTS,
    agents: config.SUPPORT_AGENTS,
    processedFolder: config.IMAP_PROCESSED_FOLDER,
    unprocessedFolder: config.IMAP_UNPROCESSED_FOLDER,
  };
}

/** The pieces every command shares: database, Redis queues and the desk built on them. */
export interface App {
  desk: Desk;
  dataSource: DataSource;
  redis: Redis;
  queues: QueueSet;
  close(): Promise<void>;
}

/**
 * Connects to PostgreSQL and Redis (each failing fast with a message naming it), checks the
 * schema is current, and builds the desk. Closing is idempotent and closes in reverse order.
 */
export async function openApp(
  config: DeskConfig & Pick<Config, 'DATABASE_URL' | 'REDIS_URL'>,
  log: Logger,
  options: { now?: () => Date; scheduler?: Scheduler; requireRedis?: boolean } = {},
): Promise<App> {
  const calendar = calendarFromConfig(config);
  // The worker needs Redis to start; an agent command does not, since its emails wait in the
  // outbox and the worker's reconciler schedules them.
  if (options.requireRedis !== false) await checkRedis(config.REDIS_URL);
  const dataSource = await openDatabase({
    url: config.DATABASE_URL,
    schema: config.DATABASE_SCHEMA,
  });
  try {
    await assertMigrated(dataSource);
  } catch (err) {
    await dataSource.destroy();
    throw err;
  }

  const redis = connectRedis(config.REDIS_URL, { failFast: options.requireRedis === false });
  const queues = createQueues(redis, config.QUEUE_PREFIX, (err, queue) =>
    log.warn({ err, queue }, 'queue connection error'),
  );
  const desk: Desk = {
    dataSource,
    calendar,
    outbox: {
      renderer: createRenderer(defaultTemplatesDir()),
      supportAddress: config.SUPPORT_ADDRESS,
      supportName: config.SUPPORT_NAME,
      hours: calendar.describeHours(),
    },
    scheduler: options.scheduler ?? createQueueScheduler(queues),
    settings: deskSettings(config),
    log,
    now: options.now ?? (() => new Date()),
  };

  let closed: Promise<void> | null = null;
  const close = () =>
    (closed ??= (async () => {
      await queues.close();
      redis.disconnect();
      await dataSource.destroy().catch(() => undefined);
    })());
  return { desk, dataSource, redis, queues, close };
}
