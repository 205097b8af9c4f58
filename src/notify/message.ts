import type Mail from 'nodemailer/lib/mailer';
import { AppError } from '../errors';
import { stripControl } from './strip-control';

export interface MessageInput {
  from: { name: string; address: string };
  to: string;
  subject: string;
  text: string;
  html: string;
  /** Our Message-ID for this email, without angle brackets; fixed so a resend is the same email. */
  messageId: string;
  /** The Message-ID of the email we answer, with or without angle brackets. */
  inReplyTo?: string | null;
  /** The thread's earlier Message-IDs, oldest first, with or without angle brackets. */
  references?: string[];
  /** True for a reply no person decided to send (RFC 3834): marks it so others do not answer. */
  autoSubmitted: boolean;
}

/** The most thread ids kept in References; the newest are kept (RFC 5322 section 3.6.4). */
export const MAX_REFERENCES = 10;

// A message id's two halves (RFC 5322 section 3.6.4), read loosely: visible ASCII without
// brackets or whitespace. Ids from other mail systems that fail this are left out of the
// threading headers rather than stop the email.
const MSG_ID = /^[\x21-\x3b\x3d\x3f-\x7e]{1,250}@[\x21-\x3b\x3d\x3f-\x7e]{1,250}$/;

const ADDRESS = /^[^\s@<>,;:"()[\]\\]{1,64}@[^\s@<>,;:"()[\]\\]{1,253}$/;

/**
 * Builds the nodemailer message for one outbound email. The Message-ID comes from the input,
 * threading ids are bracketed, every header value is made one line, and automatic replies
 * carry Auto-Submitted. Throws INVALID_INPUT for a bad address or our own Message-ID.
 */
export function buildMessage(input: MessageInput): Mail.Options {
  const references = threadIds(input.references ?? [], input.inReplyTo);
  const inReplyTo = input.inReplyTo ? cleanMessageId(input.inReplyTo) : null;

  return {
    from: { name: stripControl(input.from.name, 100), address: checkAddress(input.from.address) },
    to: { name: '', address: checkAddress(input.to) },
    subject: stripControl(input.subject, 250),
    text: input.text,
    html: input.html,
    messageId: `<${ownMessageId(input.messageId)}>`,
    ...(inReplyTo ? { inReplyTo: `<${inReplyTo}>` } : {}),
    ...(references.length ? { references: references.map((id) => `<${id}>`) } : {}),
    headers: automationHeaders(input.autoSubmitted),
    // The content is our own rendered text; nothing may make nodemailer read a file or a URL.
    disableFileAccess: true,
    disableUrlAccess: true,
  };
}

// X-Auto-Response-Suppress goes on every email: an out-of-office answer to a confirmation is as
// useless as one to an acknowledgement, and each would only be classified and dropped.
function automationHeaders(autoSubmitted: boolean): Record<string, string> {
  const headers: Record<string, string> = { 'X-Auto-Response-Suppress': 'All' };
  if (autoSubmitted) headers['Auto-Submitted'] = 'auto-replied';
  return headers;
}

/** The id without brackets or surrounding space, or null when it is not a usable message id. */
export function cleanMessageId(value: string): string | null {
  const id = stripControl(value).replace(/^<|>$/g, '');
  return MSG_ID.test(id) ? id : null;
}

// References lists the thread oldest first and ends with the message answered (RFC 5322
// section 3.6.4); a repeated id is kept once, at its latest position.
function threadIds(references: string[], inReplyTo: string | null | undefined): string[] {
  const ids = [...references, ...(inReplyTo ? [inReplyTo] : [])]
    .map(cleanMessageId)
    .filter((id): id is string => id !== null);
  const unique = ids.filter((id, i) => ids.lastIndexOf(id) === i);

  return unique.slice(-MAX_REFERENCES);
}

function ownMessageId(value: string): string {
  const id = cleanMessageId(value);
  if (id === null || id !== value) {
    throw new AppError('INVALID_INPUT', 'Message-ID must be local@domain without brackets', {
      messageId: value,
    });
  }
  return id;
}

function checkAddress(value: string): string {
  const address = value.trim();
  if (!ADDRESS.test(address)) {
    throw new AppError('INVALID_INPUT', 'Email address is not a single plain address', {
      address: stripControl(value, 254),
    });
  }
  return address;
}
