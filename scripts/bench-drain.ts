import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { ImapFlow } from 'imapflow';
import IORedis from 'ioredis';
import { Client } from 'pg';
import { simpleParser } from 'mailparser';
import { SMTPServer } from 'smtp-server';
import type { DataSource } from 'typeorm';
import { loadConfig, type Config } from '../src/config';
import { migrate, openDatabase } from '../src/db/data-source';
import { createLogger } from '../src/log';
import { startService } from '../workers/service';

/*
 * Drain benchmark (issue 2): how fast does a backlog of N request emails leave the mailbox,
 * compared with simply fetching and parsing the same messages?
 *
 *   npx tsc -p tsconfig.build.json
 *   node dist/scripts/bench-drain.js [N=2000] [--count] [--no-smtp]
 *
 * Needs the local services (scripts/services.sh up). It appends N messages to a fresh Dovecot
 * user, times imapflow fetch + mailparser over all of them (the baseline), then starts the real
 * service on that mailbox with its own schema, queue prefix and a counting SMTP server, and
 * times how long it takes until all N are stored and until all N are decided. Everything it
 * creates is removed at the end, except the empty Dovecot user directory. With --count it also
 * prints how many SQL statements and Redis commands the drain sent, per message, by statement;
 * with --no-smtp the acknowledgements are not sent, so intake is timed without that competition.
 */

const SERVICES = {
  databaseUrl: process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test',
  redisUrl: process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379',
  imapPort: process.env.IMAP_PORT ?? '1143',
  imapPassword: process.env.DOVECOT_PASSWORD ?? 'ams-local-imap',
};
const SUPPORT_ADDRESS = 'support@ams-support.example';
const AUTHSERV_ID = 'mx.ams-support.example';
const APPEND_BATCH = 200;
const FETCH_BATCH = 500;
const DRAIN_TIMEOUT_MS = 15 * 60_000;

const write = (line: string) => process.stdout.write(line + '\n');

// Building realistic mail ----------------------------------------------------------------

const FIRST = ['Jane', 'Amir', 'Olga', 'Tomás', 'Mei', 'Kwame', 'Priya', 'Lars', 'Zoë', 'Sam'];
const LAST = ['Doe', 'Haddad', 'Petrova', 'García', 'Chen', 'Mensah', 'Nair', 'Berg', 'Wright'];
const COMPANIES = ['acme', 'globex', 'initech', 'umbrella', 'hooli', 'stark', 'wayne', 'tyrell'];

/** Every 25th message repeats an earlier sender, as people who write twice do. */
function senderOf(index: number): { name: string; email: string } {
  const n = index % 25 === 24 ? index - 7 : index;
  const first = FIRST[n % FIRST.length];
  const last = LAST[Math.floor(n / FIRST.length) % LAST.length];
  const company = COMPANIES[n % COMPANIES.length];
  const local = `${first}.${last}${n}`
    .toLowerCase()
    .normalize('NFD')
    .replace(/[^a-z0-9.]/g, '');
  return { name: `${first} ${last}`, email: `${local}@${company}.example` };
}

/** Three ways people write the request: labelled fields, a numbered list, and prose. */
function bodyOf(index: number, name: string, email: string): string {
  const style = index % 3;
  if (style === 0) {
    return [
      'Hello support,',
      '',
      `Full name: ${name}`,
      `Registered email: ${email}`,
      'Description: I entered the wrong password several times this morning and am now locked.',
      '',
      'Thanks,',
      name,
    ].join('\r\n');
  }
  if (style === 1) {
    return [
      'Hi,',
      '',
      `1. Full name - ${name}`,
      `2. Registered email - ${email}`,
      '3. Description - my account was locked after I came back from leave.',
      '',
      'Regards',
    ].join('\r\n');
  }
  return [
    'Good morning,',
    '',
    `My name is ${name} and my AMS account (${email}) has been locked since yesterday.`,
    'Could you please unlock it? I need to submit timesheets today.',
    '',
    'Many thanks',
  ].join('\r\n');
}

function requestMessage(index: number, runId: string): Buffer {
  const { name, email } = senderOf(index);
  const domain = email.split('@')[1];
  const subject =
    index % 4 === 0 ? 'URGENT: AMS Account Unlock Request' : 'AMS Account Unlock Request';
  return Buffer.from(
    [
      `Authentication-Results: ${AUTHSERV_ID}; spf=pass smtp.mailfrom=${domain}; ` +
        `dkim=pass header.d=${domain}; dmarc=pass header.from=${domain}`,
      `From: ${name} <${email}>`,
      `To: ${SUPPORT_ADDRESS}`,
      `Subject: ${subject}`,
      `Message-ID: <bench-${runId}-${index}@${domain}>`,
      `Date: ${new Date(Date.now() - index * 60_000).toUTCString()}`,
      'MIME-Version: 1.0',
      'Content-Type: text/plain; charset=utf-8',
      'Content-Transfer-Encoding: 8bit',
      '',
      bodyOf(index, name, email),
      '',
    ].join('\r\n'),
  );
}

// IMAP --------------------------------------------------------------------------------------

function imapClient(user: string): ImapFlow {
  return new ImapFlow({
    host: '127.0.0.1',
    port: Number(SERVICES.imapPort),
    secure: false,
    auth: { user, pass: SERVICES.imapPassword },
    logger: false,
  });
}

async function appendAll(user: string, messages: Buffer[]): Promise<number> {
  const client = imapClient(user);
  await client.connect();
  const started = performance.now();
  try {
    for (let i = 0; i < messages.length; i += APPEND_BATCH) {
      const batch = messages.slice(i, i + APPEND_BATCH);
      await Promise.all(batch.map((m) => client.append('INBOX', m)));
    }
  } finally {
    await client.logout();
  }
  return performance.now() - started;
}

/** The baseline: fetch every source in batches of UIDs, and parse each with mailparser. */
async function baseline(user: string, expected: number): Promise<{ ms: number; fetchMs: number }> {
  const client = imapClient(user);
  await client.connect();
  try {
    const started = performance.now();
    await client.mailboxOpen('INBOX', { readOnly: true });
    const uids = ((await client.search({ all: true }, { uid: true })) || []).sort((a, b) => a - b);
    if (uids.length !== expected)
      throw new Error(`expected ${expected} messages, found ${uids.length}`);

    let fetchMs = 0;
    for (let i = 0; i < uids.length; i += FETCH_BATCH) {
      const fetchStarted = performance.now();
      const range = uids.slice(i, i + FETCH_BATCH).join(',');
      const messages = await client.fetchAll(range, { uid: true, source: true }, { uid: true });
      fetchMs += performance.now() - fetchStarted;
      for (const message of messages) await simpleParser(message.source ?? Buffer.alloc(0));
    }
    return { ms: performance.now() - started, fetchMs };
  } finally {
    await client.logout();
  }
}

/** Empties every folder of the benchmark's mailbox user. */
async function emptyMailbox(user: string): Promise<void> {
  const client = imapClient(user);
  await client.connect();
  try {
    for (const folder of await client.list()) {
      const lock = await client.getMailboxLock(folder.path);
      try {
        await client.messageDelete('1:*').catch(() => false);
      } finally {
        lock.release();
      }
    }
  } finally {
    await client.logout();
  }
}

// Our pipeline -------------------------------------------------------------------------------

/** Accepts and counts email; parsing it here would steal CPU from the service being timed. */
async function startCountingSmtp(): Promise<{
  url: string;
  count: () => number;
  close(): Promise<void>;
}> {
  let received = 0;
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    disableReverseLookup: true,
    onData(stream, _session, callback) {
      stream.on('data', () => undefined);
      stream.on('end', () => {
        received += 1;
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.server.address() as AddressInfo).port;
  return {
    url: `smtp://127.0.0.1:${port}`,
    count: () => received,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

function benchConfig(id: string, smtpUrl: string | null): Config {
  return loadConfig(
    {
      DATABASE_URL: SERVICES.databaseUrl,
      DATABASE_SCHEMA: `bench_${id}`,
      REDIS_URL: SERVICES.redisUrl,
      QUEUE_PREFIX: `bench-${id}`,
      IMAP_HOST: '127.0.0.1',
      IMAP_PORT: SERVICES.imapPort,
      IMAP_USER: `bench-${id}`,
      IMAP_PASSWORD: SERVICES.imapPassword,
      IMAP_TLS: 'false',
      // Without SMTP, a refused send retries only after an hour and is not logged as a warning.
      SMTP_URL: smtpUrl ?? 'smtp://127.0.0.1:9',
      ...(smtpUrl === null ? { SMTP_RETRY_BASE_MS: '3600000' } : {}),
      SUPPORT_ADDRESS,
      AUTHSERV_ID,
      HTTP_PORT: '0',
      LOG_LEVEL: process.env.BENCH_LOG_LEVEL ?? (smtpUrl === null ? 'error' : 'warn'),
      BUSINESS_HOURS: '00:00-24:00',
      BUSINESS_DAYS: 'Mon-Sun',
      BUSINESS_CLOSED_DATES_FILE: join(__dirname, '../../test/fixtures/no-closed-dates.txt'),
    },
    ['database', 'redis', 'imap', 'smtp', 'support'],
  );
}

interface DrainTimes {
  storedMs: number;
  decidedMs: number;
  /** CPU time this process used until all were decided: shows whether the drain is CPU-bound. */
  cpuMs: number;
  /** Share of all the machine's cores busy during the drain (PostgreSQL and Redis included). */
  machineBusy: number | null;
  sentMs: number | null;
  requests: Record<string, number>;
}

async function countProgress(db: DataSource): Promise<{ stored: number; decided: number }> {
  const [row]: Array<{ stored: string; decided: string }> = await db.query(
    `SELECT count(*) AS stored, count(*) FILTER (WHERE status <> 'stored') AS decided
       FROM inbound_messages`,
  );
  return { stored: Number(row.stored), decided: Number(row.decided) };
}

/** Starts the service on the filled mailbox and times it until every message is decided. */
async function drain(
  config: Config,
  expected: number,
  smtpCount: (() => number) | null,
  trips: RoundTrips | null,
): Promise<DrainTimes> {
  const probe = await openDatabase({ url: config.DATABASE_URL, schema: config.DATABASE_SCHEMA });
  await migrate(probe);
  trips?.reset();
  const started = performance.now();
  const service = await startService(config, createLogger(config.LOG_LEVEL));

  try {
    const progress = await waitUntilDecided(probe, expected, started);
    if (trips) printRoundTrips(trips, expected);

    const requests = await requestCounts(probe);
    const acks = await countAcks(probe);
    const sentMs = smtpCount === null ? null : await waitForEmails(smtpCount, acks, started);
    return { ...progress, sentMs, requests };
  } finally {
    await service.shutdown();
    await probe.destroy();
  }
}

/** Polls the inbound table; the CPU figures are read the moment the last message is decided. */
async function waitUntilDecided(
  probe: DataSource,
  expected: number,
  started: number,
): Promise<Omit<DrainTimes, 'sentMs' | 'requests'>> {
  const cpuBefore = process.cpuUsage();
  const machineBefore = machineCpu();
  let storedMs: number | undefined;
  for (;;) {
    const progress = await countProgress(probe);
    const elapsed = performance.now() - started;
    if (progress.stored >= expected) storedMs ??= elapsed;
    if (progress.decided >= expected) {
      const cpu = process.cpuUsage(cpuBefore);
      const cpuMs = (cpu.user + cpu.system) / 1000;
      const machineBusy = machineBusySince(machineBefore);
      return { storedMs: storedMs ?? elapsed, decidedMs: elapsed, cpuMs, machineBusy };
    }
    if (elapsed > DRAIN_TIMEOUT_MS)
      throw new Error(`drain timed out at ${JSON.stringify(progress)}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function requestCounts(db: DataSource): Promise<Record<string, number>> {
  const rows: Array<{ status: string; n: string }> = await db.query(
    `SELECT status, count(*) AS n FROM unlock_requests GROUP BY status ORDER BY status`,
  );
  return Object.fromEntries(rows.map((r) => [r.status, Number(r.n)]));
}

async function countAcks(db: DataSource): Promise<number> {
  const [row]: Array<{ n: string }> = await db.query(`SELECT count(*) AS n FROM outbound_emails`);
  return Number(row.n);
}

/** Acknowledgements trail the decisions; null when they are not all out a minute later. */
async function waitForEmails(
  count: () => number,
  expected: number,
  started: number,
): Promise<number | null> {
  const deadline = performance.now() + 60_000;
  while (count() < expected) {
    if (performance.now() > deadline) return null;
    await new Promise((r) => setTimeout(r, 50));
  }
  return performance.now() - started;
}

async function dropState(config: Config): Promise<void> {
  const db = await openDatabase({ url: config.DATABASE_URL });
  await db.query(`DROP SCHEMA IF EXISTS "${config.DATABASE_SCHEMA}" CASCADE`);
  await db.destroy();
  const redis = new IORedis(config.REDIS_URL);
  const keys = await redis.keys(`${config.QUEUE_PREFIX}:*`);
  if (keys.length > 0) await redis.del(...keys);
  redis.disconnect();
}

// Machine CPU ------------------------------------------------------------------------------

/** Busy and total jiffies of all cores from /proc/stat; null where there is no /proc. */
function machineCpu(): { busy: number; total: number } | null {
  try {
    const fields = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1);
    const values = fields.map(Number);
    const idle = (values[3] ?? 0) + (values[4] ?? 0);
    const total = values.slice(0, 8).reduce((a, b) => a + b, 0);
    return { busy: total - idle, total };
  } catch {
    return null;
  }
}

function machineBusySince(before: { busy: number; total: number } | null): number | null {
  const after = machineCpu();
  if (!before || !after || after.total === before.total) return null;
  return (after.busy - before.busy) / (after.total - before.total);
}

// Counting round trips (--count) ------------------------------------------------------------

/** SQL statements and Redis commands sent, by their opening text; for diagnosis only. */
interface RoundTrips {
  sql: Map<string, number>;
  redis: Map<string, number>;
  reset(): void;
}

/**
 * Wraps the query method of pg's Client and the command method of ioredis, which every
 * statement of TypeORM and every BullMQ call goes through. The wrapping costs a little CPU,
 * so the rates from a counting run read slightly low.
 */
function countRoundTrips(): RoundTrips {
  const trips: RoundTrips = {
    sql: new Map(),
    redis: new Map(),
    reset: () => (trips.sql.clear(), trips.redis.clear()),
  };
  const bump = (map: Map<string, number>, key: string) => map.set(key, (map.get(key) ?? 0) + 1);

  // Casts: both methods are overloaded, and only their first argument is read here.
  const pgProto = Client.prototype as unknown as { query: (...args: unknown[]) => unknown };
  const query = pgProto.query;
  pgProto.query = function (this: unknown, ...args: unknown[]) {
    const first = args[0] as string | { text?: string };
    const text = typeof first === 'string' ? first : (first?.text ?? '?');
    bump(trips.sql, text.replace(/\s+/g, ' ').trim().slice(0, 90));
    return query.apply(this, args);
  };
  const redisProto = IORedis.prototype as unknown as {
    sendCommand: (...args: unknown[]) => unknown;
  };
  const sendCommand = redisProto.sendCommand;
  redisProto.sendCommand = function (this: unknown, ...args: unknown[]) {
    const command = args[0] as { name?: string; args?: unknown[] };
    bump(trips.redis, command?.name ?? '?');
    return sendCommand.apply(this, args);
  };
  return trips;
}

function printRoundTrips(trips: RoundTrips, n: number): void {
  const total = (map: Map<string, number>) => [...map.values()].reduce((a, b) => a + b, 0);
  const perMessage = (map: Map<string, number>) => (total(map) / n).toFixed(1);
  const top = (map: Map<string, number>, count: number) =>
    [...map.entries()].sort((a, b) => b[1] - a[1]).slice(0, count);
  write('');
  write(`SQL statements until decided: ${total(trips.sql)} (${perMessage(trips.sql)} per message)`);
  for (const [text, count] of top(trips.sql, 25)) {
    write(`${(count / n).toFixed(2).padStart(7)}  ${text}`);
  }
  write(
    `Redis commands until decided: ${total(trips.redis)} (${perMessage(trips.redis)} per message)`,
  );
  for (const [name, count] of top(trips.redis, 8)) {
    write(`${(count / n).toFixed(2).padStart(7)}  ${name}`);
  }
}

// Report -------------------------------------------------------------------------------------

const rate = (count: number, ms: number) => (count / ms) * 1000;

function printTable(n: number, base: number, store: number, endToEnd: number): void {
  const cells = [
    ['messages', String(n)],
    ['baseline msg/s', base.toFixed(0)],
    ['our store msg/s', store.toFixed(0)],
    ['our end-to-end msg/s', endToEnd.toFixed(0)],
    ['ratio (end-to-end / baseline)', (endToEnd / base).toFixed(2)],
    ['ratio (store / baseline)', (store / base).toFixed(2)],
  ];
  write('');
  write(cells.map(([h]) => h).join(' | '));
  write(cells.map(([h, v]) => v.padStart(h.length)).join(' | '));
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const trips = args.includes('--count') ? countRoundTrips() : null;
  const n = Number(args.find((a) => /^\d+$/.test(a)) ?? 2000);
  if (!Number.isInteger(n) || n < 1)
    throw new Error('usage: bench-drain.js [N=2000] [--count] [--no-smtp]');
  const id = randomBytes(4).toString('hex');
  const smtp = await startCountingSmtp();
  // --no-smtp points the service at a closed port: acknowledgements wait in the outbox, which
  // shows what intake alone costs without the sending competing for the CPU.
  const sending = !args.includes('--no-smtp');
  const config = benchConfig(id, sending ? smtp.url : null);

  try {
    const messages = Array.from({ length: n }, (_, i) => requestMessage(i, id));
    const appendMs = await appendAll(config.IMAP_USER, messages);
    write(`appended ${n} messages to ${config.IMAP_USER} in ${(appendMs / 1000).toFixed(1)} s`);

    const base = await baseline(config.IMAP_USER, n);
    write(
      `baseline: ${seconds(base.ms)} s (fetch ${seconds(base.fetchMs)} s, ` +
        `parse ${seconds(base.ms - base.fetchMs)} s)`,
    );

    const times = await drain(config, n, sending ? smtp.count : null, trips);
    printDrain(times, sending);
    printTable(n, rate(n, base.ms), rate(n, times.storedMs), rate(n, times.decidedMs));
  } finally {
    await emptyMailbox(config.IMAP_USER).catch(() => undefined);
    await dropState(config).catch(() => undefined);
    await smtp.close();
  }
}

const seconds = (ms: number) => (ms / 1000).toFixed(2);

function printDrain(times: DrainTimes, sending: boolean): void {
  const sent = !sending
    ? 'not sent (--no-smtp)'
    : times.sentMs === null
      ? 'not all sent a minute later'
      : `all sent after ${seconds(times.sentMs)} s`;
  write(
    `ours: all stored after ${seconds(times.storedMs)} s, all decided after ` +
      `${seconds(times.decidedMs)} s; acknowledgements ${sent}`,
  );
  write(`requests by status: ${JSON.stringify(times.requests)}`);
  write(
    `this process was on the CPU for ${seconds(times.cpuMs)} s of the ` +
      `${seconds(times.decidedMs)} s drain ` +
      `(${((times.cpuMs / times.decidedMs) * 100).toFixed(0)} % of one core)`,
  );
  if (times.machineBusy === null) return;
  write(
    `all ${cpus().length} cores of the machine were ${(times.machineBusy * 100).toFixed(0)} % ` +
      'busy during the drain (this process, PostgreSQL, Redis, Dovecot and anything else)',
  );
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exitCode = 1;
});
