import { ImapFlow } from 'imapflow';
import { AppError } from '../errors';

export interface MailboxAddress {
  host: string;
  port: number;
  user: string;
  password: string;
  tls: boolean;
  mailbox: string;
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
