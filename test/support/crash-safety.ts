import { ImapFlow } from 'imapflow';
import type { DataSource } from 'typeorm';
import type { Config } from '../../src/config';
import { dedupeKey, headerBlock, sha256 } from '../../src/ingest/dedupe-key';
import { startSmtpCapture } from './harness';

/*
 * Helpers for test/integration/crash-safety.test.ts: an SMTP server that refuses some
 * recipients for good, a way to leave the database as a crash would, and mailbox tricks.
 */

export interface Delivered {
  to: string[];
  messageId: string;
}

/**
 * Captures every email, except to recipients starting with "refuse", which get a permanent
 * 550 at RCPT TO and are listed in `refusals`.
 */
export async function startRefusingSmtp(): Promise<{
  url: string;
  readonly emails: Delivered[];
  refusals: string[];
  close(): Promise<void>;
}> {
  const capture = await startSmtpCapture({ refuse: (address) => address.startsWith('refuse') });
  return {
    url: capture.url,
    get emails() {
      return capture.emails.map((e) => ({
        to: e.to,
        messageId: (e.parsed.messageId ?? '').replace(/^<|>$/g, ''),
      }));
    },
    refusals: capture.refusals,
    close: capture.close,
  };
}

/**
 * Writes a message straight into inbound_messages, as the poller stores it, but queues no
 * job: the state a worker killed between storing a batch and queuing it leaves behind.
 * `attempts` says how many earlier tries crashed before finishing.
 */
export async function storeWithoutJob(
  dataSource: DataSource,
  raw: string,
  attempts = 0,
): Promise<number> {
  const source = Buffer.from(raw);
  const { key, messageId } = dedupeKey(headerBlock(source));
  const rows: Array<{ id: number }> = await dataSource.query(
    `INSERT INTO inbound_messages (dedupe_key, message_id, raw, size_bytes, raw_sha256, attempts)
     VALUES ($1, $2, $3, $4, $5, $6) RETURNING id`,
    [key, messageId, source, source.length, sha256(source), attempts],
  );
  return rows[0].id;
}

function imapClient(config: Config): ImapFlow {
  return new ImapFlow({
    host: config.IMAP_HOST,
    port: config.IMAP_PORT,
    secure: false,
    auth: { user: config.IMAP_USER, pass: config.IMAP_PASSWORD },
    logger: false,
  });
}

/** Copies a message (found by Message-ID) from one folder back into the INBOX. */
export async function copyToInbox(config: Config, folder: string, messageId: string) {
  const client = imapClient(config);
  await client.connect();
  try {
    const lock = await client.getMailboxLock(folder);
    try {
      const uids = await client.search({ header: { 'message-id': messageId } }, { uid: true });
      if (!uids || uids.length === 0) throw new Error(`${messageId} is not in ${folder}`);
      await client.messageCopy(uids.join(','), 'INBOX', { uid: true });
    } finally {
      lock.release();
    }
  } finally {
    await client.logout();
  }
}
