import { z } from 'zod';
import { AppError } from './errors';

/*
 * Configuration is read here, once, from the environment. Nothing else reads process.env.
 * Every problem is reported together, each naming its variable, and the result is frozen.
 */

const bool = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'], { message: 'must be true or false' })
  .transform((v) => v === 'true' || v === '1' || v === 'yes');

const int = (min: number, max = Number.MAX_SAFE_INTEGER) =>
  z
    .string()
    .regex(/^\d+$/, { message: 'must be a whole number' })
    .transform(Number)
    .pipe(
      z
        .number()
        .min(min, { message: `must be at least ${min}` })
        .max(max),
    );

const url = (protocols: string[]) =>
  z.string().refine(
    (v) => {
      try {
        return protocols.includes(new URL(v).protocol);
      } catch {
        return false;
      }
    },
    { message: `must be a URL starting with ${protocols.map((p) => p + '//').join(' or ')}` },
  );

const email = z
  .string()
  .regex(/^[^\s@<>]+@[^\s@<>]+\.[^\s@<>]+$/, { message: 'must be an email address' })
  .transform((v) => v.toLowerCase());

const folder = z.string().min(1).max(200);

/** Comma-separated addresses, lower-cased; empty when unset. */
const emailList = z
  .string()
  .default('')
  .transform((v) =>
    v
      .split(',')
      .map((a) => a.trim().toLowerCase())
      .filter(Boolean),
  );

const groups = {
  database: {
    /** PostgreSQL connection string; the database holds every fact. */
    DATABASE_URL: url(['postgres:', 'postgresql:']),
  },
  redis: {
    /** Redis connection string; Redis only schedules work and can be emptied safely. */
    REDIS_URL: url(['redis:', 'rediss:']),
  },
  imap: {
    /** The support mailbox, read over IMAP. */
    IMAP_HOST: z.string().min(1),
    IMAP_PORT: int(1, 65535),
    IMAP_USER: z.string().min(1),
    IMAP_PASSWORD: z.string().min(1),
    /** true: implicit TLS (port 993 style); false: plain, upgraded by STARTTLS when offered. */
    IMAP_TLS: bool,
  },
  smtp: {
    /** Where outgoing email is submitted, e.g. smtp://user:pass@mail.example.com:587. */
    SMTP_URL: url(['smtp:', 'smtps:']),
  },
  support: {
    /** The address users write to; our replies come from it and we never answer it. */
    SUPPORT_ADDRESS: email,
  },
} as const;

const common = {
  /** Display name on outgoing email. */
  SUPPORT_NAME: z.string().min(1).max(100).default('AMS Support'),
  /** The folder the support mail arrives in. */
  IMAP_MAILBOX: folder.default('INBOX'),
  /** Where a handled message is moved (flagged \Seen). */
  IMAP_PROCESSED_FOLDER: folder.default('Processed'),
  /** Where a message that will not be handled is moved (flagged \Flagged), reason logged. */
  IMAP_UNPROCESSED_FOLDER: folder.default('Unprocessed'),
  /** How many messages one IMAP fetch and one database write take. */
  IMAP_FETCH_BATCH: int(1, 5000).default(500),
  /** IDLE is re-issued this often, because NAT and firewalls drop silent connections. */
  IMAP_IDLE_RESTART_MS: int(10_000).default(240_000),
  /** An independent search by UID runs this often, whatever IDLE says. */
  IMAP_RECONCILE_MS: int(1_000).default(60_000),
  /** Liveness fails when the IMAP loop has made no progress for this long. */
  IMAP_STALL_MS: int(10_000).default(600_000),
  /** Timeout for one IMAP command or connection attempt. */
  IMAP_TIMEOUT_MS: int(1_000).default(30_000),
  /** Messages larger than this are not loaded whole; they are recorded and quarantined. */
  MAX_MESSAGE_BYTES: int(1024).default(25 * 1024 * 1024),
  /** Deadline for parsing one message. */
  PARSE_TIMEOUT_MS: int(50).default(5_000),
  /** Prefix of every BullMQ key, so several deployments can share one Redis. */
  QUEUE_PREFIX: z
    .string()
    .regex(/^[A-Za-z0-9_-]+$/)
    .default('ams'),
  /** More failed sign-ins than this lock an account. */
  LOCKOUT_MAX_FAILURES: int(1, 1000).default(5),
  /** The authserv-id of our own receiving server; only its Authentication-Results are trusted. */
  AUTHSERV_ID: z.string().min(1).optional(),
  /** An approval must be carried out within this many minutes or it lapses. */
  APPROVAL_TTL_MINUTES: int(1).default(60),
  /** Support unlocks per account in 24 hours and in 30 days before a second agent is needed. */
  CAP_ACCOUNT_UNLOCKS_24H: int(0).default(1),
  CAP_ACCOUNT_UNLOCKS_30D: int(0).default(3),
  /** Requests per sender in 24 hours beyond which new ones wait on the open request. */
  CAP_SENDER_REQUESTS_24H: int(1).default(3),
  /** Resolution target in working minutes, for the overdue report. */
  RESOLUTION_TARGET_MINUTES: int(1).default(240),
  /** Port of the health, metrics and console endpoint; 0 turns it off. */
  HTTP_PORT: int(0, 65535).default(8080),
  /** Address the HTTP endpoint listens on. */
  HTTP_HOST: z.string().default('127.0.0.1'),
  /** How long SIGTERM waits for work in flight before closing anyway. */
  SHUTDOWN_GRACE_MS: int(0).default(20_000),
  /** Delay before the first retry of a failed SMTP send; later ones double, with jitter. */
  SMTP_RETRY_BASE_MS: int(100).default(30_000),
  /** An email left 'sending' this long was cut off mid-send (a crash) and is sent again. */
  SMTP_STALE_SEND_MS: int(10_000).default(120_000),
  /** Expiry of the Redis mailbox lock: how soon another worker takes over from a dead one. */
  IMAP_LOCK_TTL_MS: int(3_000).default(30_000),
  /** Attempts before a transiently failing email is marked failed for an agent to see. */
  SMTP_MAX_ATTEMPTS: int(1).default(12),
  /** How often the reconciler rebuilds queue entries and runs overdue work. */
  RECONCILE_INTERVAL_MS: int(1_000).default(60_000),
  /** Agents (emails, comma separated) who may decide; empty accepts any agent address. */
  SUPPORT_AGENTS: emailList,
  /** Agents (emails, comma separated) who may approve outside working hours, with a reason. */
  SUPERVISOR_AGENTS: emailList,
  /** A PostgreSQL schema to keep the tables in; the default is the connection's search path. */
  DATABASE_SCHEMA: z
    .string()
    .regex(/^[a-z_][a-z0-9_]*$/, { message: 'must be a lower-case SQL identifier' })
    .optional(),
  /** Attempts at processing one inbound message before it is quarantined. */
  MAX_PROCESSING_ATTEMPTS: int(1, 100).default(5),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  BUSINESS_TIMEZONE: z.string().optional(),
  BUSINESS_HOURS: z.string().optional(),
  BUSINESS_DAYS: z.string().optional(),
  BUSINESS_CLOSED_DATES_FILE: z.string().optional(),
  /** Adds closure days (YYYY-MM-DD, comma separated) to the holiday list. */
  BUSINESS_EXTRA_CLOSED_DATES: z.string().optional(),
};

type Group = keyof typeof groups;
type GroupValues = { [G in Group]: z.infer<z.ZodObject<(typeof groups)[G]>> };
type CommonValues = z.infer<z.ZodObject<typeof common>>;
type Intersect<U> = (U extends unknown ? (u: U) => void : never) extends (i: infer I) => void
  ? I
  : never;

/** Settings a command needs, by group; the common settings are always present. */
export type ConfigFor<G extends Group> = Readonly<CommonValues & Intersect<GroupValues[G]>>;

const fullSchema = z.object({
  ...common,
  ...groups.database,
  ...groups.redis,
  ...groups.imap,
  ...groups.smtp,
  ...groups.support,
});

export type Config = ConfigFor<Group>;

/**
 * Reads and validates the settings for the given groups. Throws CONFIG_INVALID listing every
 * bad or missing variable by name; values are never echoed, since some are secrets.
 */
export function loadConfig<G extends Group>(
  env: NodeJS.ProcessEnv,
  need: readonly G[],
): ConfigFor<G> {
  const shape: Record<string, z.ZodType> = { ...common };
  for (const g of need) Object.assign(shape, groups[g]);

  const input = Object.fromEntries(
    Object.keys(shape).map((k) => [k, env[k] === '' ? undefined : env[k]]),
  );
  const result = z.object(shape).safeParse(input);
  if (!result.success) {
    const problems = result.error.issues.map((i) => {
      const name = String(i.path[0]);
      return input[name] === undefined ? `${name} is not set` : `${name} ${i.message}`;
    });
    throw new AppError('CONFIG_INVALID', `Invalid configuration: ${problems.join('; ')}`, {
      variables: result.error.issues.map((i) => String(i.path[0])),
    });
  }
  return Object.freeze(result.data) as ConfigFor<G>;
}

/** Every setting, as the service needs them. */
export function loadServiceConfig(env: NodeJS.ProcessEnv): Config {
  return loadConfig(env, ['database', 'redis', 'imap', 'smtp', 'support']);
}

/** The names of all settings, for documentation checks. */
export const SETTING_NAMES: readonly string[] = Object.keys(fullSchema.shape);
