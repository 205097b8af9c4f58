import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { ImapFlow } from 'imapflow';
import IORedis from 'ioredis';
import { simpleParser, type ParsedMail } from 'mailparser';
import { SMTPServer } from 'smtp-server';
import { loadConfig, type Config } from '../../src/config';
import { migrate, openDatabase } from '../../src/db/data-source';
import { appendMessages, mailboxOf } from '../../src/ingest/append-messages';
import { createLogger } from '../../src/log';
import { startService, type RunningService } from '../../workers/service';

/** The real services the integration tests use; scripts/services.sh starts them. */
export const SERVICES = {
  databaseUrl: process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test',
  redisUrl: process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379',
  imapPort: process.env.IMAP_PORT ?? '1143',
  imapPassword: process.env.DOVECOT_PASSWORD ?? 'ams-local-imap',
};

export const SUPPORT_ADDRESS = 'support@ams-support.example';
export const AUTHSERV_ID = 'mx.ams-support.example';

export interface CapturedEmail {
  to: string[];
  raw: Buffer;
  parsed: ParsedMail;
}

/**
 * A capturing SMTP server on a free loopback port. Recipients that `refuse` picks get a
 * permanent 550 at RCPT TO and are listed in `refusals`.
 */
export async function startSmtpCapture(
  options: { refuse?: (address: string) => boolean } = {},
): Promise<{
  url: string;
  emails: CapturedEmail[];
  refusals: string[];
  close(): Promise<void>;
}> {
  const emails: CapturedEmail[] = [];
  const refusals: string[] = [];
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    disableReverseLookup: true,
    onRcptTo(address, _session, callback) {
      if (!options.refuse?.(address.address)) return callback();
      refusals.push(address.address);
      callback(Object.assign(new Error('5.1.1 No such user here'), { responseCode: 550 }));
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        const raw = Buffer.concat(chunks);
        void simpleParser(raw).then((parsed) => {
          emails.push({ to: session.envelope.rcptTo.map((r) => r.address), raw, parsed });
          callback();
        });
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.server.address() as AddressInfo).port;
  return {
    url: `smtp://127.0.0.1:${port}`,
    emails,
    refusals,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

export interface TestDesk {
  id: string;
  config: Config;
  service: RunningService;
  smtp: Awaited<ReturnType<typeof startSmtpCapture>>;
  append(...messages: Array<string | Buffer>): Promise<void>;
  stop(): Promise<void>;
}

/**
 * A whole running service, isolated for one test file: its own PostgreSQL schema, IMAP
 * user (a fresh mailbox), queue prefix and SMTP capture server.
 */
/**
 * The settings of an isolated desk: its own schema, queue prefix and IMAP user (a fresh
 * mailbox) on the shared services, always open, sending to `smtpUrl`.
 */
export function isolatedEnv(id: string, smtpUrl: string): Record<string, string> {
  return {
    DATABASE_URL: SERVICES.databaseUrl,
    DATABASE_SCHEMA: `t_${id}`,
    REDIS_URL: SERVICES.redisUrl,
    QUEUE_PREFIX: `t-${id}`,
    IMAP_HOST: '127.0.0.1',
    IMAP_PORT: SERVICES.imapPort,
    IMAP_USER: `t-${id}`,
    IMAP_PASSWORD: SERVICES.imapPassword,
    IMAP_TLS: 'false',
    SMTP_URL: smtpUrl,
    SUPPORT_ADDRESS,
    AUTHSERV_ID,
    BUSINESS_HOURS: '00:00-24:00',
    BUSINESS_DAYS: 'Mon-Sun',
    BUSINESS_CLOSED_DATES_FILE: join(__dirname, '..', 'fixtures', 'no-closed-dates.txt'),
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
  };
}

export async function startTestDesk(env: Record<string, string> = {}): Promise<TestDesk> {
  const id = randomBytes(5).toString('hex');
  const smtp = await startSmtpCapture();
  const config = loadConfig(
    {
      ...isolatedEnv(id, smtp.url),
      IMAP_RECONCILE_MS: '2000',
      SMTP_RETRY_BASE_MS: '200',
      HTTP_PORT: '0',
      RECONCILE_INTERVAL_MS: '2000',
      ...env,
    },
    ['database', 'redis', 'imap', 'smtp', 'support'],
  );

  const dataSource = await openDatabase({
    url: config.DATABASE_URL,
    schema: config.DATABASE_SCHEMA,
  });
  await migrate(dataSource);
  await dataSource.destroy();

  const service = await startService(config, createLogger(config.LOG_LEVEL));
  const mailbox = mailboxOf(config);
  return {
    id,
    config,
    service,
    smtp,
    append: async (...messages) => {
      await appendMessages(
        mailbox,
        messages.map((m) => (typeof m === 'string' ? Buffer.from(m) : m)),
      );
    },
    stop: async () => {
      await service.shutdown();
      await smtp.close();
      await dropTestState(config);
    },
  };
}

/** Removes the test's schema and queue keys. */
export async function dropTestState(config: Config): Promise<void> {
  const dataSource = await openDatabase({ url: config.DATABASE_URL });
  await dataSource.query(`DROP SCHEMA IF EXISTS "${config.DATABASE_SCHEMA}" CASCADE`);
  await dataSource.destroy();
  const redis = new IORedis(config.REDIS_URL);
  const keys = await redis.keys(`${config.QUEUE_PREFIX}:*`);
  if (keys.length > 0) await redis.del(...keys);
  redis.disconnect();
}

/** Polls until the check returns a value (not undefined/null/false), or fails with the label. */
export async function waitFor<T>(
  label: string,
  check: () => Promise<T | null | undefined | false>,
  timeoutMs = 20_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== null && value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${label}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

let counter = 0;

function uniqueId(domain: string): string {
  counter += 1;
  return `m${Date.now()}.${counter}.${randomBytes(3).toString('hex')}@${domain}`;
}

/** A plain request email; the Authentication-Results header stands in for our receiving server. */
export function requestEmail(options: {
  from: string;
  subject?: string;
  body?: string;
  authResults?: string | null;
  messageId?: string;
  headers?: string[];
}): string {
  const domain = options.from.replace(/.*@/, '').replace(/>.*/, '');
  const auth =
    options.authResults === undefined
      ? `${AUTHSERV_ID}; spf=pass smtp.mailfrom=${domain}; dkim=pass header.d=${domain};` +
        ` dmarc=pass header.from=${domain}`
      : options.authResults;
  return [
    ...(auth ? [`Authentication-Results: ${auth}`] : []),
    `From: ${options.from}`,
    `To: ${SUPPORT_ADDRESS}`,
    `Subject: ${options.subject ?? 'AMS Account Unlock Request'}`,
    `Message-ID: <${options.messageId ?? uniqueId(domain)}>`,
    `Date: ${new Date().toUTCString()}`,
    ...(options.headers ?? []),
    'MIME-Version: 1.0',
    'Content-Type: text/plain; charset=utf-8',
    '',
    options.body ?? '',
    '',
  ].join('\r\n');
}

/** How many messages each folder of the test's mailbox holds, and their flags. */
export async function folderContents(
  config: Config,
  folders: string[],
): Promise<Record<string, string[][]>> {
  const client = new ImapFlow({
    host: config.IMAP_HOST,
    port: config.IMAP_PORT,
    secure: false,
    auth: { user: config.IMAP_USER, pass: config.IMAP_PASSWORD },
    logger: false,
  });
  await client.connect();
  const result: Record<string, string[][]> = {};
  try {
    for (const folder of folders) {
      const lock = await client.getMailboxLock(folder);
      try {
        const messages = await client.fetchAll('1:*', { flags: true }).catch(() => []);
        result[folder] = messages.map((m) => [...(m.flags ?? [])].sort());
      } finally {
        lock.release();
      }
    }
  } finally {
    await client.logout();
  }
  return result;
}
