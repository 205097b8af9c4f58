import { Readable } from 'node:stream';
import MailComposer from 'nodemailer/lib/mail-composer';
import type Mail from 'nodemailer/lib/mailer';
import SMTPConnection from 'nodemailer/lib/smtp-connection';
import { AppError } from '../errors';
import { redactUrl, type Logger } from '../log';

/*
 * Sends one email per SMTP connection (no pool) and says how each failure should be treated.
 *
 * This uses nodemailer's SMTPConnection rather than a transport. A connection lost while
 * waiting for the reply to the end of the message data is reported with command 'CONN', the
 * same as one lost before MAIL FROM, and only the first may have delivered the email. Handing
 * SMTPConnection our own stream tells the two apart: the connection reads that stream only
 * after the server has answered DATA with 354, so once the stream has ended the whole message
 * is with the server and only its final reply is missing.
 */

export interface SmtpSendResult {
  /** The Message-ID of the email sent, without angle brackets. */
  messageId: string;
  /** The server's final reply to the message data. */
  response: string;
}

export interface SmtpSender {
  /**
   * Sends one email. Fails with SMTP_PERMANENT (the server refused it, do not retry),
   * SMTP_TRANSIENT (not delivered, retry later), SMTP_UNCERTAIN (the message data went out but
   * no reply came: it may have been delivered, so resend it with the same Message-ID), or
   * SHUTDOWN (close() was called before the message data went out).
   */
  send(mail: Mail.Options): Promise<SmtpSendResult>;
  /** Connects, greets and logs in without sending anything; fails like send(). */
  verify(): Promise<void>;
  /** Ends every open connection; sends in flight settle at once and later ones are refused. */
  close(): void;
}

export interface SmtpSenderOptions {
  /** Deadline for connecting, for the greeting and for each wait on the server. */
  timeoutMs?: number;
  logger?: Logger;
}

export const DEFAULT_SMTP_TIMEOUT_MS = 30_000;

interface SmtpTarget {
  options: SMTPConnection.Options;
  auth: { user: string; pass: string } | null;
}

interface ComposedEmail {
  envelope: SMTPConnection.Envelope;
  messageId: string;
  raw: Buffer;
}

/** Tracks how far one send got, which decides whether a lost connection may have delivered it. */
interface SendProgress {
  dataSent: boolean;
}

/**
 * Creates the sender for SMTP_URL (smtp://user:pass@host:587 or smtps://...:465; add
 * ?requireTLS=true to refuse a plain connection). Each email opens its own connection, so
 * every send pays for a TCP, greeting and (with TLS) handshake round trip.
 */
export function createSmtpSender(smtpUrl: string, opts: SmtpSenderOptions = {}): SmtpSender {
  const target = parseSmtpUrl(smtpUrl, opts.timeoutMs ?? DEFAULT_SMTP_TIMEOUT_MS);
  const open = new Set<SMTPConnection>();
  const log = opts.logger;
  let closing = false;

  const attempt = async <T>(progress: SendProgress, work: Work<T>): Promise<T> => {
    if (closing) throw new AppError('SHUTDOWN', 'The SMTP sender is closed');
    try {
      return await withConnection(target, open, work);
    } catch (err) {
      const failure = classifySmtpError(err, progress.dataSent, closing);
      log?.warn({ code: failure.code, ...failure.details }, 'smtp attempt failed');
      throw failure;
    }
  };

  return {
    async send(mail) {
      const email = await composeEmail(mail);
      const progress: SendProgress = { dataSent: false };

      const response = await attempt(progress, (conn) => transmit(conn, email, progress));
      log?.debug({ messageId: email.messageId }, 'smtp message accepted');
      return { messageId: email.messageId, response };
    },
    async verify() {
      await attempt({ dataSent: false }, async () => undefined);
    },
    close() {
      closing = true;
      for (const conn of open) conn.close();
    },
  };
}

type Work<T> = (conn: SMTPConnection) => Promise<T>;

/**
 * Opens a connection, logs in when the URL has credentials and the server offers AUTH, runs
 * the work and says goodbye. However the connection fails (an 'error' event, a callback error,
 * or the connection ending, including by close()), the step in progress is rejected.
 */
async function withConnection<T>(
  target: SmtpTarget,
  open: Set<SMTPConnection>,
  work: Work<T>,
): Promise<T> {
  const conn = new SMTPConnection(target.options);
  open.add(conn);
  const broken = new Promise<never>((_resolve, reject) => {
    conn.on('error', reject);
    conn.once('end', () => reject(new Error('SMTP connection ended')));
  });
  // Once the work has settled, a later 'end' rejects a promise nobody waits for.
  broken.catch(() => undefined);

  try {
    const result = await Promise.race([session(conn, target, work), broken]);
    conn.quit();
    return result;
  } finally {
    open.delete(conn);
    conn.close();
  }
}

async function session<T>(conn: SMTPConnection, target: SmtpTarget, work: Work<T>): Promise<T> {
  await new Promise<void>((resolve, reject) => {
    conn.connect((err) => (err ? reject(err) : resolve()));
  });

  // As nodemailer's transport does: credentials are offered only when the server asks for them.
  const auth = target.auth;
  if (auth && conn.allowsAuth) {
    await new Promise<void>((resolve, reject) => {
      conn.login(auth, (err) => (err ? reject(err) : resolve()));
    });
  }

  return work(conn);
}

// The stream ends when SMTPConnection has taken the last byte, a moment before the closing
// "<CRLF>.<CRLF>" reaches the socket. A connection lost in that moment is reported uncertain
// although the server cannot have accepted the email; the resend it causes carries the same
// Message-ID, so the cost is one possible extra attempt, never a lost email.
function transmit(conn: SMTPConnection, email: ComposedEmail, progress: SendProgress) {
  return new Promise<string>((resolve, reject) => {
    const body = Readable.from([email.raw], { objectMode: false });
    body.once('end', () => {
      progress.dataSent = true;
    });

    conn.send(email.envelope, body, (err, info) => (err ? reject(err) : resolve(info.response)));
  });
}

async function composeEmail(mail: Mail.Options): Promise<ComposedEmail> {
  const node = new MailComposer(mail).compile();
  const envelope = node.getEnvelope();
  const raw = await node.build();

  return {
    envelope: { from: envelope.from, to: envelope.to, size: raw.length },
    messageId: node.messageId().replace(/^<|>$/g, ''),
    raw,
  };
}

/** Connection settings from SMTP_URL; every wait has a deadline. */
function parseSmtpUrl(smtpUrl: string, timeoutMs: number): SmtpTarget {
  let url: URL;
  try {
    url = new URL(smtpUrl);
  } catch {
    throw new AppError('CONFIG_INVALID', 'SMTP_URL is not a valid URL');
  }
  if (url.protocol !== 'smtp:' && url.protocol !== 'smtps:') {
    throw new AppError('CONFIG_INVALID', `SMTP_URL must start with smtp:// or smtps://`, {
      url: redactUrl(smtpUrl),
    });
  }

  const secure = url.protocol === 'smtps:';
  const options: SMTPConnection.Options = {
    host: url.hostname.replace(/^\[|\]$/g, ''),
    port: url.port ? Number(url.port) : secure ? 465 : 587,
    secure,
    requireTLS: url.searchParams.get('requireTLS') === 'true',
    connectionTimeout: timeoutMs,
    greetingTimeout: timeoutMs,
    socketTimeout: timeoutMs,
    dnsTimeout: timeoutMs,
    logger: false,
  };
  const auth = url.username
    ? { user: decodeURIComponent(url.username), pass: decodeURIComponent(url.password) }
    : null;
  return { options, auth };
}

/** The fields nodemailer adds to the errors it raises. */
interface SmtpErrorFields {
  code?: string;
  responseCode?: number;
  command?: string;
  response?: string;
}

// Refusals of the email as built (no recipient, a malformed address, larger than the server's
// SIZE limit) or of our settings: sending the same thing again gets the same answer.
const REFUSED_BEFORE_SENDING = new Set(['EENVELOPE', 'EMESSAGE', 'EREQUIRETLS', 'ECONFIG']);

/**
 * Maps a failed SMTP step to our error codes. A server reply decides first: 5xx is permanent
 * and 4xx transient. Without a reply, a failure after the message data went out is uncertain
 * and one before it is transient. A refused login is transient too, whatever its reply code,
 * because it says nothing about the email: once SMTP_URL is fixed the same email goes through.
 * Every 5xx counts as permanent, 503 (bad sequence of commands) included, although nodemailer
 * itself counts 503 as retryable.
 */
export function classifySmtpError(err: unknown, dataSent: boolean, closing = false): AppError {
  if (err instanceof AppError) return err;
  const fields = smtpErrorFields(err);
  const details = { ...fields, dataSent };
  const at = fields.command ? ` at ${fields.command}` : '';
  const reply = fields.responseCode ?? 0;

  if (fields.code === 'EAUTH' || fields.code === 'ENOAUTH') {
    return new AppError('SMTP_TRANSIENT', 'The SMTP server refused our login; check SMTP_URL', {
      ...details,
      auth: true,
    });
  }
  if (reply >= 500) {
    return new AppError(
      'SMTP_PERMANENT',
      `The SMTP server refused the email (${reply}${at})`,
      details,
    );
  }
  if (reply >= 400) {
    return new AppError(
      'SMTP_TRANSIENT',
      `The SMTP server deferred the email (${reply}${at})`,
      details,
    );
  }
  if (fields.code && REFUSED_BEFORE_SENDING.has(fields.code)) {
    return new AppError(
      'SMTP_PERMANENT',
      `The email cannot be sent as built (${fields.code})`,
      details,
    );
  }
  return unansweredFailure(details, dataSent, closing);
}

function unansweredFailure(
  details: Record<string, unknown>,
  dataSent: boolean,
  closing: boolean,
): AppError {
  if (dataSent) {
    return new AppError(
      'SMTP_UNCERTAIN',
      'The SMTP connection was lost after the email was sent and before the server confirmed it; ' +
        'it may have been delivered',
      details,
    );
  }
  if (closing) return new AppError('SHUTDOWN', 'The SMTP sender closed before sending', details);
  return new AppError(
    'SMTP_TRANSIENT',
    'The SMTP server could not be reached or dropped the connection',
    details,
  );
}

function smtpErrorFields(err: unknown): SmtpErrorFields & { message?: string } {
  if (!(err instanceof Error)) return { message: String(err) };
  // nodemailer sets these as plain properties on the Error; each is checked before use.
  const e = err as Error & Record<string, unknown>;

  return {
    message: err.message.slice(0, 300),
    ...(typeof e.code === 'string' ? { code: e.code } : {}),
    ...(typeof e.responseCode === 'number' ? { responseCode: e.responseCode } : {}),
    ...(typeof e.command === 'string' ? { command: e.command } : {}),
    ...(typeof e.response === 'string' ? { response: e.response.slice(0, 300) } : {}),
  };
}
