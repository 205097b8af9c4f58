import { createServer, type AddressInfo, type Socket } from 'node:net';
import type { Readable } from 'node:stream';
import { SMTPServer, type SMTPServerDataStream, type SMTPServerSession } from 'smtp-server';
import type { MessageInput } from '../../../src/notify/message';

export const COMMON_VARS = {
  hours: 'Monday to Friday, 9:00 to 17:00 UK time',
  supportName: 'AMS Support',
  supportAddress: 'support@ams.example',
  reference: 'AMS-1042',
};

export function messageInput(overrides: Partial<MessageInput> = {}): MessageInput {
  return {
    from: { name: 'AMS Support', address: 'support@ams.example' },
    to: 'jane.doe@customer.example',
    subject: 'AMS Account Unlock Request [AMS-1042] received',
    text: 'Hello,\n\nWe have received your request.\n',
    html: '<p>Hello,</p><p>We have received your request.</p>',
    messageId: 'outbox-1.unlock-desk@ams.example',
    inReplyTo: '<user-1@customer.example>',
    references: [],
    autoSubmitted: true,
    ...overrides,
  };
}

export class SmtpReplyError extends Error {
  constructor(
    readonly responseCode: number,
    message: string,
  ) {
    super(message);
  }
}

type DataHandler = (
  stream: SMTPServerDataStream,
  session: SMTPServerSession,
  callback: (err?: Error | null) => void,
) => void;

export interface TestSmtpServer {
  port: number;
  url: string;
  /** Raw messages the server accepted. */
  received: string[];
  /** Resolves once the server has read a whole message, whatever it then answers. */
  dataReceived: Promise<void>;
  /** Drops every client connection without a reply. */
  dropConnections(): void;
  close(): Promise<void>;
}

export interface SmtpBehaviour {
  onRcptTo?: (address: string, callback: (err?: Error | null) => void) => void;
  /** What to do once the message data has arrived; the default accepts it. */
  afterData?: (callback: (err?: Error | null) => void, server: TestSmtpServer) => void;
}

/** A real SMTP server on a random loopback port, plain text and without AUTH. */
export async function startSmtpServer(behaviour: SmtpBehaviour = {}): Promise<TestSmtpServer> {
  const sockets = new Set<Socket>();
  let markReceived: () => void = () => undefined;
  const dataReceived = new Promise<void>((resolve) => (markReceived = resolve));
  const received: string[] = [];
  let handle: TestSmtpServer | null = null;

  const onData: DataHandler = (stream, _session, callback) => {
    readAll(stream).then((raw) => {
      markReceived();
      const accept = (err?: Error | null) => {
        if (!err) received.push(raw);
        callback(err);
      };
      if (behaviour.afterData && handle) behaviour.afterData(accept, handle);
      else accept();
    });
  };
  const server = new SMTPServer({
    disabledCommands: ['AUTH', 'STARTTLS'],
    authOptional: true,
    logger: false,
    closeTimeout: 50,
    // No reverse DNS lookup of the client: tests make no real DNS queries.
    disableReverseLookup: true,
    onData,
    onRcptTo: (address, _session, callback) =>
      behaviour.onRcptTo ? behaviour.onRcptTo(address.address, callback) : callback(),
  });
  server.server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.server.address() as AddressInfo).port;
  handle = {
    port,
    url: `smtp://127.0.0.1:${port}`,
    received,
    dataReceived,
    dropConnections: () => sockets.forEach((s) => s.destroy()),
    close: async () => {
      sockets.forEach((s) => s.destroy());
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
  return handle;
}

/** A loopback port that nothing listens on (it was free a moment ago). */
export async function closedPort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const port = (probe.address() as AddressInfo).port;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return port;
}

async function readAll(stream: Readable): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/** The value of one header in a raw message, unfolded, or undefined. */
export function headerValue(raw: string, name: string): string | undefined {
  const head = raw.split(/\r?\n\r?\n/)[0].replace(/\r?\n[ \t]+/g, ' ');
  const line = head
    .split(/\r?\n/)
    .find((l) => l.toLowerCase().startsWith(name.toLowerCase() + ':'));
  return line?.slice(name.length + 1).trim();
}
