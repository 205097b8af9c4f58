import { ImapFlow } from 'imapflow';
import type { ConfigFor } from '../config';
import { AppError } from '../errors';

export interface MailboxAddress {
  host: string;
  port: number;
  user: string;
  password: string;
  tls: boolean;
  mailbox: string;
}

/** The mailbox the settings name. */
export function mailboxOf(config: ConfigFor<'imap'>): MailboxAddress {
  return {
    host: config.IMAP_HOST,
    port: config.IMAP_PORT,
    user: config.IMAP_USER,
    password: config.IMAP_PASSWORD,
    tls: config.IMAP_TLS,
    mailbox: config.IMAP_MAILBOX,
  };
}

/** Puts messages into a mailbox as if they had been delivered: used by the demo and tests. */
export async function appendMessages(target: MailboxAddress, messages: Buffer[]): Promise<number> {
  const client = new ImapFlow({
    host: target.host,
    port: target.port,
    secure: target.tls,
    auth: { user: target.user, pass: target.password },
    logger: false,
    connectionTimeout: 10_000,
  });
  try {
    await client.connect();
  } catch (err) {
    throw new AppError(
      'IMAP_UNAVAILABLE',
      `Cannot sign in to IMAP at ${target.host}:${target.port}: ${(err as Error).message}`,
    );
  }
  try {
    for (const message of messages) await client.append(target.mailbox, message);
    return messages.length;
  } finally {
    await client.logout().catch(() => client.close());
  }
}
