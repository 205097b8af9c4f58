import { randomBytes } from 'node:crypto';
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import IORedis from 'ioredis';
import type { DataSource } from 'typeorm';
import { addAccount, recordFailedSignIn } from '../../src/accounts/account-store';
import { openApp, type App } from '../../src/app';
import { loadConfig } from '../../src/config';
import { openDatabase } from '../../src/db/data-source';
import { hasCode } from '../../src/errors';
import { appendMessages } from '../../src/ingest/append-messages';
import { createLogger } from '../../src/log';
import { approveRequest } from '../../src/requests/review';
import { CaptureSmtp } from './capture-smtp';
import { PROJECT_ROOT, runCli, WorkerProcess } from './worker-process';

export const SUPPORT_ADDRESS = 'support@ams-support.example';
const AUTHSERV_ID = 'mx.ams-support.example';
const AGENT = 'agent@ams-support.example';

/** Where the suite finds the shared local services; the same defaults as the test harness. */
export const SERVICES = {
  databaseUrl: process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test',
  redisUrl: process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379',
  imapPort: process.env.IMAP_PORT ?? '1143',
  imapPassword: process.env.DOVECOT_PASSWORD ?? 'ams-local-imap',
};

export const LOG_DIR = join(PROJECT_ROOT, '.run', 'fault-suite');

/** One appended email and what the suite expects of it. */
export interface SentIn {
  /** The email's number within this desk; names and addresses are made from it. */
  n: number;
  messageId: string;
  sender: string;
  /** The sender has a locked account, so the approver unlocks it and a confirmation follows. */
  locked: boolean;
}

/**
 * One isolated installation of the desk for one fault: its own schema, queue prefix,
 * mailbox user and capture SMTP server, the real service as child processes, and an
 * "agent" that approves every request for a locked account as soon as it can.
 */
export class DeskUnderTest {
  readonly id = randomBytes(4).toString('hex');
  readonly smtp = new CaptureSmtp();
  readonly sentIn: SentIn[] = [];
  readonly workers: WorkerProcess[] = [];
  readonly approvals = new Set<string>();
  readonly approvalErrors: string[] = [];
  /** Remarks for the table: what was done differently, what went wrong. */
  readonly notes: string[] = [];
  /** The fault's name as the table shows it. */
  label: string;
  db!: DataSource;
  private app: App | null = null;
  private approving: Promise<void> | null = null;
  private stopApprover = false;

  constructor(readonly fault: string) {
    this.label = fault;
  }

  get schema(): string {
    return `fs_${this.id}`;
  }

  get imapUser(): string {
    return `fs-${this.id}`;
  }

  env(): NodeJS.ProcessEnv {
    return {
      ...process.env,
      DATABASE_URL: SERVICES.databaseUrl,
      DATABASE_SCHEMA: this.schema,
      REDIS_URL: SERVICES.redisUrl,
      QUEUE_PREFIX: `fs-${this.id}`,
      IMAP_HOST: '127.0.0.1',
      IMAP_PORT: SERVICES.imapPort,
      IMAP_USER: this.imapUser,
      IMAP_PASSWORD: SERVICES.imapPassword,
      IMAP_TLS: 'false',
      IMAP_RECONCILE_MS: '2000',
      SMTP_URL: this.smtp.url,
      // Long enough that a one-minute outage cannot use up SMTP_MAX_ATTEMPTS (12) retries.
      SMTP_RETRY_BASE_MS: '500',
      SUPPORT_ADDRESS,
      AUTHSERV_ID,
      BUSINESS_HOURS: '00:00-24:00',
      BUSINESS_DAYS: 'Mon-Sun',
      BUSINESS_CLOSED_DATES_FILE: join(PROJECT_ROOT, 'test', 'fixtures', 'no-closed-dates.txt'),
      RECONCILE_INTERVAL_MS: '2000',
      SHUTDOWN_GRACE_MS: '5000',
      LOG_LEVEL: 'info',
    };
  }

  /** Capture server, schema (through `cli.js migrate`), the agent's own connection. */
  async open(): Promise<void> {
    mkdirSync(LOG_DIR, { recursive: true });
    await this.smtp.start();
    await runCli(['migrate'], this.env());
    this.db = await openDatabase({ url: SERVICES.databaseUrl, schema: this.schema });
    const config = loadConfig(this.env(), ['database', 'redis', 'support']);
    this.app = await openApp(config, createLogger('silent'), { requireRedis: false });
    // Redis is one of the faults: its connection errors are expected here, not news.
    this.app.redis.on('error', () => undefined);
    for (const queue of Object.values(this.app.queues.queues)) queue.on('error', () => undefined);
    this.approving = this.approveLoop();
  }

  addWorker(): WorkerProcess {
    const n = this.workers.length + 1;
    const worker = new WorkerProcess(
      `${this.fault}-${n}`,
      this.env(),
      join(LOG_DIR, `${this.fault}-${this.id}-worker${n}.log`),
    );
    this.workers.push(worker);
    return worker;
  }

  /** Starts again any worker that died without being told to, and says so in the notes. */
  async reviveCrashed(): Promise<void> {
    for (const w of this.workers) {
      if (w.running || w.unexpectedExits.length === 0) continue;
      this.notes.push(`${w.name} exited by itself (code ${w.unexpectedExits.join(', ')})`);
      w.unexpectedExits.length = 0;
      await w.start();
    }
  }

  /**
   * Appends `count` valid requests, each from a distinct sender; every `lockedEvery`-th
   * sender has a locked account first, so its request is approved and confirmed.
   */
  async append(count: number, lockedEvery = 3): Promise<void> {
    const batch: SentIn[] = [];
    for (let i = 0; i < count; i++) {
      const n = this.sentIn.length + batch.length + 1;
      const sender = `user${n}.${this.id}@example.com`;
      const locked = n % lockedEvery === 0;
      if (locked) await this.lockAccount(sender, n);
      batch.push({ n, messageId: `fs-${this.id}-${n}@example.com`, sender, locked });
    }
    await appendWithRetry(this.mailbox(), batch.map(requestEmail));
    this.sentIn.push(...batch);
  }

  private async lockAccount(email: string, n: number): Promise<void> {
    await addAccount(this.db, { email, fullName: fullName(n), company: 'Example Ltd' }, 'suite');
    for (let i = 0; i < 6; i++) await recordFailedSignIn(this.db, email, 5);
  }

  mailbox() {
    return {
      host: '127.0.0.1',
      port: Number(SERVICES.imapPort),
      user: this.imapUser,
      password: SERVICES.imapPassword,
      tls: false,
      mailbox: 'INBOX',
    };
  }

  /** The agent: approves each waiting request for a locked account, through the service. */
  private async approveLoop(): Promise<void> {
    while (!this.stopApprover) {
      await this.approveWaiting().catch(() => undefined);
      await new Promise((r) => setTimeout(r, 500));
    }
  }

  private async approveWaiting(): Promise<void> {
    const app = this.app;
    if (!app) return;
    const rows: Array<{ reference: string }> = await this.db.query(
      `SELECT reference FROM unlock_requests
        WHERE status = 'pending_review' AND account_id IS NOT NULL ORDER BY id`,
    );
    for (const { reference } of rows) {
      if (this.approvalErrors.some((e) => e.startsWith(reference))) continue;
      try {
        await approveRequest(app.desk, { reference, agent: AGENT });
        this.approvals.add(reference);
      } catch (err) {
        // A database outage is retried on the next turn; a refusal is a finding.
        if (hasCode(err, 'NOT_APPROVABLE') || hasCode(err, 'INVALID_TRANSITION')) {
          this.approvalErrors.push(`${reference}: ${(err as Error).message}`);
        }
      }
    }
  }

  /** Stops every worker politely, the agent and the capture server; removes all state. */
  async close(): Promise<void> {
    this.stopApprover = true;
    await this.approving;
    for (const w of this.workers) await w.stop('SIGTERM');
    await this.app?.close();
    await this.smtp.stop();
    await this.db.query(`DROP SCHEMA IF EXISTS "${this.schema}" CASCADE`).catch(() => undefined);
    await this.db.destroy();
    await deletePrefixKeys(SERVICES.redisUrl, `fs-${this.id}`);
    const maildir = join(PROJECT_ROOT, '.run', 'dovecot', 'mail', this.imapUser);
    rmSync(maildir, { recursive: true, force: true });
  }
}

/** Deletes every Redis key under a queue prefix: "emptying Redis" for this desk only. */
export async function deletePrefixKeys(redisUrl: string, prefix: string): Promise<number> {
  const redis = new IORedis(redisUrl, { maxRetriesPerRequest: 3 });
  try {
    const keys = await redis.keys(`${prefix}:*`);
    if (keys.length > 0) await redis.del(...keys);
    return keys.length;
  } finally {
    redis.disconnect();
  }
}

/** The IMAP server may be the fault: an append that fails is tried again for a while. */
async function appendWithRetry(
  target: ReturnType<DeskUnderTest['mailbox']>,
  messages: Buffer[],
): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      await appendMessages(target, messages);
      return;
    } catch (err) {
      if (attempt >= 20) throw err;
      await new Promise((r) => setTimeout(r, 1_000));
    }
  }
}

/** A plausible name, different for each n: the extractor refuses names with digits. */
function fullName(n: number): string {
  let letters = '';
  for (let v = n; v > 0; v = Math.floor(v / 26)) letters += String.fromCharCode(97 + (v % 26));
  return `Robin Mac${letters}`;
}

// Stands in for the verdict of our receiving server, which the desk trusts by AUTHSERV_ID.
const PASSING_AUTH = [
  AUTHSERV_ID,
  'spf=pass smtp.mailfrom=example.com',
  'dkim=pass header.d=example.com',
  'dmarc=pass header.from=example.com',
].join('; ');

function requestEmail({ n, sender, messageId }: SentIn): Buffer {
  const lines = [
    `Authentication-Results: ${PASSING_AUTH}`,
    `From: ${fullName(n)} <${sender}>`,
    `To: ${SUPPORT_ADDRESS}`,
    'Subject: AMS Account Unlock Request',
    `Message-ID: <${messageId}>`,
    `Date: ${new Date().toUTCString()}`,
    'MIME-Version: 1.0',
    'Content-Type: text/plain; charset=utf-8',
    '',
    `Full name: ${fullName(n)}`,
    `Registered email: ${sender}`,
    'Description: I typed the wrong password too many times and am locked out.',
    '',
  ];
  return Buffer.from(lines.join('\r\n'));
}
