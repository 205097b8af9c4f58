import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';

/** One email as the capture server received it. */
export interface CapturedEmail {
  to: string[];
  /** The Message-ID header without angle brackets, or '' when it has none. */
  messageId: string;
  at: Date;
}

const MESSAGE_ID = /^message-id:[ \t]*<?([^<>\s]+)>?/im;

function readMessageId(raw: Buffer): string {
  const end = raw.indexOf('\r\n\r\n');
  const head = raw.subarray(0, end >= 0 ? end : raw.length).toString('latin1');
  return MESSAGE_ID.exec(head.replace(/\r?\n[ \t]+/g, ' '))?.[1] ?? '';
}

/**
 * An SMTP server that records every email it accepts. It can be stopped and started again
 * on the same port, which is how the suite takes "the SMTP server" down and brings it back.
 * The list of captured emails survives a restart.
 */
export class CaptureSmtp {
  readonly emails: CapturedEmail[] = [];
  private server: SMTPServer | null = null;
  private port = 0;

  get url(): string {
    return `smtp://127.0.0.1:${this.port}`;
  }

  async start(): Promise<void> {
    if (this.server) return;
    const server = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS'],
      disableReverseLookup: true,
      // A stop must refuse mail at once, not wait for open sessions to finish.
      closeTimeout: 200,
      onData: (stream, session, callback) => {
        const chunks: Buffer[] = [];
        stream.on('data', (c: Buffer) => chunks.push(c));
        stream.on('end', () => {
          const raw = Buffer.concat(chunks);
          const to = session.envelope.rcptTo.map((r) => r.address);
          this.emails.push({ to, messageId: readMessageId(raw), at: new Date() });
          callback();
        });
      },
    });
    await new Promise<void>((resolve) => server.listen(this.port, '127.0.0.1', resolve));
    this.port = (server.server.address() as AddressInfo).port;
    this.server = server;
  }

  async stop(): Promise<void> {
    const server = this.server;
    this.server = null;
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}
