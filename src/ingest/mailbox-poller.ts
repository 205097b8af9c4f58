import { ImapFlow, type FetchMessageObject } from 'imapflow';
import type { Redis } from 'ioredis';
import type { DataSource } from 'typeorm';
import { AppError, hasCode } from '../errors';
import type { Logger } from '../log';
import type { MailboxAddress } from './append-messages';
import { MailboxLock } from './mailbox-lock';
import {
  findPendingMoves,
  markMoved,
  readCursor,
  storeBatch,
  type FetchedMessage,
  type MailboxPosition,
} from './store-batch';

export interface PollerSettings extends MailboxAddress {
  processedFolder: string;
  unprocessedFolder: string;
  fetchBatch: number;
  idleRestartMs: number;
  reconcileMs: number;
  timeoutMs: number;
  maxMessageBytes: number;
  /** Redis key of the mailbox lock; one per mailbox. */
  lockKey: string;
  lockTtlMs: number;
}

export interface PollerDeps {
  dataSource: DataSource;
  redis: Redis;
  log: Logger;
  /** Called after each stored batch with the inbound ids that need processing. */
  onStored: (inboundIds: number[]) => Promise<void>;
}

export interface PollerHealth {
  holdsMailbox: boolean;
  connected: boolean;
  /** When the loop last finished a pass; liveness fails when this grows old. */
  lastPassAt: Date | null;
  lastError: string | null;
}

const FLAG_FOR_FOLDER = (settings: PollerSettings, folder: string) =>
  folder === settings.unprocessedFolder ? '\\Flagged' : '\\Seen';

/**
 * Reads the mailbox: stores every new message by UID (never by UNSEEN or date), then moves
 * the decided ones. Only the holder of the Redis mailbox lock reads; the others wait to take
 * over. IDLE wakes it for new mail; an independent pass runs every `reconcileMs` whatever IDLE
 * says, because IDLE can die silently behind NAT.
 */
export class MailboxPoller {
  private readonly lock: MailboxLock;
  private client: ImapFlow | null = null;
  private stopping = false;
  private running: Promise<void> | null = null;
  private wakeUp: (() => void) | null = null;
  private woken = false;
  private holds = false;
  private readonly state: PollerHealth = {
    holdsMailbox: false,
    connected: false,
    lastPassAt: null,
    lastError: null,
  };

  constructor(
    private readonly settings: PollerSettings,
    private readonly deps: PollerDeps,
  ) {
    this.lock = new MailboxLock(deps.redis, settings.lockKey, settings.lockTtlMs);
  }

  start(): void {
    this.running ??= this.loop();
  }

  /** Asks for a pass now: new mail announced, or a message decided and ready to move. */
  wake(): void {
    this.woken = true;
    this.wakeUp?.();
  }

  health(): PollerHealth {
    return { ...this.state, holdsMailbox: this.holds };
  }

  /** Stops taking mail, logs out politely, and gives the mailbox to the next worker. */
  async stop(): Promise<void> {
    this.stopping = true;
    this.wake();
    await this.running;
  }

  private async loop(): Promise<void> {
    let failures = 0;
    while (!this.stopping) {
      try {
        if (!(await this.holdMailbox())) {
          await this.sleep(Math.min(this.settings.lockTtlMs / 3, 5_000));
          continue;
        }
        await this.session();
        failures = 0;
      } catch (err) {
        failures += 1;
        this.state.lastError = (err as Error).message;
        // A refused login needs an operator; anything else is expected to heal on its own.
        const level = hasCode(err, 'IMAP_AUTH_FAILED') ? 'error' : 'warn';
        this.deps.log[level]({ err, failures }, 'mailbox session ended; reconnecting');
        await this.closeClient();
        await this.sleep(backoffMs(failures));
      }
    }
    await this.closeClient();
    await this.releaseMailbox();
  }

  private async holdMailbox(): Promise<boolean> {
    this.holds = this.holds ? await this.lock.renew() : await this.lock.acquire();
    if (this.holds) this.state.holdsMailbox = true;
    return this.holds;
  }

  private async releaseMailbox(): Promise<void> {
    if (!this.holds) return;
    this.holds = false;
    await this.lock.release().catch(() => undefined);
  }

  /** One connection: open, then passes until told to stop, the lock is lost, or an error. */
  private async session(): Promise<void> {
    const client = await this.connect();
    await this.ensureFolders(client);
    const mailbox = await client.mailboxOpen(this.settings.mailbox);
    const position = { mailbox: this.settings.mailbox, uidValidity: mailbox.uidValidity };
    client.on('exists', () => this.wake());

    const renewEvery = this.settings.lockTtlMs / 3;
    while (!this.stopping && client.usable) {
      const pending = await this.pass(client, position);
      this.state.lastPassAt = new Date();
      if (!(await this.holdMailbox())) {
        this.deps.log.warn({}, 'mailbox lock lost; another worker reads the mailbox now');
        return this.closeClient();
      }
      await this.sleep(Math.min(pending ? 1_000 : this.settings.reconcileMs, renewEvery));
    }
    if (!this.stopping) throw new AppError('IMAP_UNAVAILABLE', 'IMAP connection closed');
  }

  private async connect(): Promise<ImapFlow> {
    const s = this.settings;
    const client = new ImapFlow({
      host: s.host,
      port: s.port,
      secure: s.tls,
      auth: { user: s.user, pass: s.password },
      logger: false,
      maxIdleTime: s.idleRestartMs,
      autoIdleDelay: 300,
      connectionTimeout: s.timeoutMs,
      greetingTimeout: s.timeoutMs,
      socketTimeout: Math.max(s.timeoutMs, s.idleRestartMs + 60_000),
    });
    client.on('error', (err: Error) => {
      this.state.lastError = err.message;
      this.deps.log.warn({ err }, 'IMAP connection error');
    });
    client.on('close', () => {
      this.state.connected = false;
      this.wake();
    });
    try {
      await client.connect();
    } catch (err) {
      const e = err as Error & { authenticationFailed?: boolean };
      const code = e.authenticationFailed ? 'IMAP_AUTH_FAILED' : 'IMAP_UNAVAILABLE';
      throw new AppError(code, `Cannot sign in to IMAP at ${s.host}:${s.port}: ${e.message}`);
    }
    this.client = client;
    this.state.connected = true;
    this.state.lastError = null;
    this.deps.log.info({ host: s.host, mailbox: s.mailbox }, 'mailbox connected');
    return client;
  }

  private async ensureFolders(client: ImapFlow): Promise<void> {
    const existing = new Set((await client.list()).map((m) => m.path));
    for (const folder of [this.settings.processedFolder, this.settings.unprocessedFolder]) {
      if (!existing.has(folder)) await client.mailboxCreate(folder);
    }
  }

  /** Stores what is new, then moves what is decided. True when decisions are still pending. */
  private async pass(client: ImapFlow, position: MailboxPosition): Promise<boolean> {
    this.woken = false;
    await this.fetchNew(client, position);
    return this.moveDecided(client, position);
  }

  private async fetchNew(client: ImapFlow, position: MailboxPosition): Promise<void> {
    const cursor = await readCursor(this.deps.dataSource, position);
    const found = await client.search({ uid: `${cursor + 1}:*` }, { uid: true });
    // "n:*" always includes the highest UID, even when it is below n: filter by the cursor.
    const uids = (found || []).filter((uid) => uid > cursor).sort((a, b) => a - b);

    for (let i = 0; i < uids.length && !this.stopping; i += this.settings.fetchBatch) {
      const chunk = uids.slice(i, i + this.settings.fetchBatch);
      const sizes = await client.fetchAll(
        chunk.join(','),
        { uid: true, size: true },
        { uid: true },
      );
      const listed = sizes.map((m) => ({ uid: m.uid, size: m.size ?? 0 }));
      for (const group of groupBySize(listed, BATCH_BYTES, this.settings.maxMessageBytes)) {
        await this.storeGroup(client, position, group);
      }
    }
  }

  /**
   * Fetches one group with BODY.PEEK, so reading sets no flag, and stores it with the cursor
   * at its last UID. A message over the size limit is fetched as headers only: it is
   * recorded and quarantined, never loaded whole.
   */
  private async storeGroup(client: ImapFlow, position: MailboxPosition, group: SizedUid[]) {
    const whole = group.filter((m) => m.size <= this.settings.maxMessageBytes).map((m) => m.uid);
    const large = group.filter((m) => m.size > this.settings.maxMessageBytes).map((m) => m.uid);
    const query = { uid: true, size: true, internalDate: true };
    const fetched = [
      ...(whole.length
        ? await client.fetchAll(whole.join(','), { ...query, source: true }, { uid: true })
        : []
      ).map((m) => toFetched(m, true)),
      ...(large.length
        ? await client.fetchAll(large.join(','), { ...query, headers: true }, { uid: true })
        : []
      ).map((m) => toFetched(m, false)),
    ];

    const lastUid = group[group.length - 1].uid;
    const ids = await storeBatch(this.deps.dataSource, position, fetched, lastUid);
    this.deps.log.info({ stored: fetched.length, toProcess: ids.length }, 'mailbox batch stored');
    await this.deps.onStored(ids);
  }

  private async moveDecided(client: ImapFlow, position: MailboxPosition): Promise<boolean> {
    const moves = await findPendingMoves(this.deps.dataSource, position);
    for (const [folder, uids] of moves) {
      const range = uids.join(',');
      await client.messageFlagsAdd(range, [FLAG_FOR_FOLDER(this.settings, folder)], { uid: true });
      await client.messageMove(range, folder, { uid: true });
      await markMoved(this.deps.dataSource, position, uids);
      this.deps.log.info({ folder, count: uids.length }, 'messages moved');
    }
    const waiting: Array<{ n: string }> = await this.deps.dataSource.query(
      `SELECT count(*) AS n FROM mailbox_deliveries
        WHERE mailbox = $1 AND uid_validity = $2 AND target_folder IS NULL`,
      [position.mailbox, position.uidValidity.toString()],
    );
    return Number(waiting[0].n) > 0;
  }

  private async closeClient(): Promise<void> {
    const client = this.client;
    this.client = null;
    this.state.connected = false;
    if (!client) return;
    try {
      await Promise.race([client.logout(), new Promise((r) => setTimeout(r, 2_000).unref())]);
    } catch {
      // Already gone: nothing to log out from.
    }
    client.close();
  }

  private sleep(ms: number): Promise<void> {
    if (this.woken || this.stopping) return Promise.resolve();
    return new Promise<void>((resolve) => {
      const timer = setTimeout(done, ms);
      timer.unref();
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.wakeUp = done;
    }).then(() => {
      this.wakeUp = null;
    });
  }
}

export interface SizedUid {
  uid: number;
  size: number;
}

/** Bytes one fetch-and-store may hold in memory; a single message up to the limit always fits. */
const BATCH_BYTES = 64 * 1024 * 1024;

/**
 * Splits messages, in UID order, into groups whose whole sources fit in `budgetBytes`. A
 * message over `maxMessageBytes` is fetched by headers only, so it counts as small.
 */
export function groupBySize(messages: SizedUid[], budgetBytes: number, maxMessageBytes: number) {
  const groups: SizedUid[][] = [];
  let current: SizedUid[] = [];
  let bytes = 0;
  for (const message of [...messages].sort((a, b) => a.uid - b.uid)) {
    const cost = message.size > maxMessageBytes ? 64 * 1024 : message.size;
    if (current.length > 0 && bytes + cost > budgetBytes) {
      groups.push(current);
      current = [];
      bytes = 0;
    }
    current.push(message);
    bytes += cost;
  }
  if (current.length > 0) groups.push(current);
  return groups;
}

function toFetched(m: FetchMessageObject, complete: boolean): FetchedMessage {
  const source = complete ? m.source : m.headers;
  return {
    uid: m.uid,
    size: m.size ?? source?.length ?? 0,
    source: source ?? Buffer.alloc(0),
    complete,
    internalDate: m.internalDate ? new Date(m.internalDate) : null,
  };
}

/** 1 s, 2 s, 4 s ... up to a minute, with jitter so restarted workers do not reconnect in step. */
function backoffMs(failures: number): number {
  const base = Math.min(60_000, 1_000 * 2 ** Math.min(failures - 1, 6));
  return base / 2 + Math.random() * (base / 2);
}
