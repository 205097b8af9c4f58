import { firstAddress, headerValue, headerValues, messageIds } from './headers';
import {
  autoReplySubject,
  bounceSubject,
  extractReferenceTag,
  matchesRequestSubject,
  readPrefixes,
} from './subject';
import type { MailMessage, MessageKind, ParseContext, SenderIdentity } from './types';
import { isOurAddress } from '../trust/loop-guard';

/*
 * Classification precedence: our own mail (a loop) is ignored first, then bounce, auto reply,
 * bulk, reply, unlock request, else ignored. Every signal found is recorded as a reason, so an
 * agent can see why a message was not answered.
 */

export interface Classification {
  kind: MessageKind;
  reasons: string[];
  autoSubmitted: boolean;
  bulk: boolean;
  nullReturnPath: boolean;
}

export interface ClassifyInput {
  msg: MailMessage;
  subject: string;
  sender: SenderIdentity;
  ctx: ParseContext;
}

/** Decides what a message is and why. Pure. */
export function classifyMessage(input: ClassifyInput): Classification {
  const { msg } = input;
  const autoReply = autoReplySignals(input);
  const bounce = bounceSignals(input, autoReply.length > 0);
  const bulk = bulkSignals(msg);
  const flags = {
    autoSubmitted: autoReply.length > 0 || bounce.length > 0,
    bulk: bulk.length > 0,
    nullReturnPath: isNullReturnPath(msg),
  };

  const own = fromOurAddress(input);
  if (own) return { kind: 'ignored', reasons: [own], ...flags };
  if (bounce.length) return { kind: 'bounce', reasons: [...bounce, ...autoReply], ...flags };
  if (autoReply.length) return { kind: 'auto_reply', reasons: autoReply, ...flags };
  if (bulk.length) return { kind: 'ignored', reasons: bulk, ...flags };

  const reply = replySignals(input);
  if (reply.length) return { kind: 'reply', reasons: reply, ...flags };
  return { ...requestOrIgnored(input.subject), ...flags };
}

function fromOurAddress({ msg, sender, ctx }: ClassifyInput): string | null {
  if (!ctx.supportAddress) return null;
  const address = sender.address ?? firstAddress(headerValue(msg.headers, 'from'));
  return address && isOurAddress(address, ctx.supportAddress) ? 'from our own address' : null;
}

/* ---------- bounces ---------- */

const DAEMON = /^(?:mailer-daemon|mail-daemon|postmaster|mailerdaemon)@/i;

function bounceSignals({ msg, subject, sender }: ClassifyInput, isAutoReply: boolean): string[] {
  const reasons: string[] = [];
  const type = (headerValue(msg.headers, 'content-type') ?? '').toLowerCase();
  if (/multipart\/report/.test(type) && /report-type\s*=\s*"?delivery-status/.test(type)) {
    reasons.push('multipart/report with delivery-status');
  } else if (msg.attachmentTypes.includes('message/delivery-status')) {
    reasons.push('message/delivery-status part');
  }

  const address = sender.address ?? firstAddress(headerValue(msg.headers, 'from'));
  if (address && DAEMON.test(address)) reasons.push(`sender ${address.split('@')[0]}`);
  if (headerValue(msg.headers, 'x-failed-recipients')) reasons.push('header X-Failed-Recipients');

  const phrase = bounceSubject(subject);
  if (phrase) reasons.push(`subject "${phrase}"`);

  // RFC 3834 auto-responders also send from the null path, so it alone marks a bounce only
  // when nothing says the message is an automatic answer.
  if (isNullReturnPath(msg) && (reasons.length || !isAutoReply)) reasons.push('null return path');
  return reasons;
}

function isNullReturnPath(msg: MailMessage): boolean {
  const value = headerValue(msg.headers, 'return-path');
  return value !== null && /^<?\s*>?$/.test(value.trim());
}

/* ---------- automatic answers ---------- */

const AUTO_HEADERS = ['x-autoreply', 'x-autorespond', 'x-autoresponder', 'x-auto-reply'];

function autoReplySignals({ msg, subject }: ClassifyInput): string[] {
  const reasons: string[] = [];
  for (const value of headerValues(msg.headers, 'auto-submitted')) {
    const token = value
      .split(/[;(\s]/)[0]
      .trim()
      .toLowerCase();
    if (token && token !== 'no') reasons.push(`header Auto-Submitted: ${token}`);
  }
  for (const name of AUTO_HEADERS) {
    const value = headerValue(msg.headers, name);
    if (value !== null && !/^(?:no|false|0)$/i.test(value.trim())) reasons.push(`header ${name}`);
  }
  for (const name of ['precedence', 'x-precedence']) {
    const value = (headerValue(msg.headers, name) ?? '').trim().toLowerCase();
    if (value === 'auto_reply' || value === 'auto-reply') reasons.push(`header ${name}: ${value}`);
  }

  const type = (headerValue(msg.headers, 'content-type') ?? '').toLowerCase();
  if (/report-type\s*=\s*"?disposition-notification/.test(type)) reasons.push('read receipt');

  const phrase = autoReplySubject(subject);
  if (phrase) reasons.push(`subject prefix "${phrase}"`);
  return reasons;
}

/* ---------- bulk and list mail ---------- */

function bulkSignals(msg: MailMessage): string[] {
  const reasons: string[] = [];
  const precedence = (headerValue(msg.headers, 'precedence') ?? '').trim().toLowerCase();
  if (['bulk', 'list', 'junk'].includes(precedence))
    reasons.push(`header Precedence: ${precedence}`);
  if (headerValue(msg.headers, 'list-id') !== null) reasons.push('header List-Id');
  if (headerValue(msg.headers, 'list-unsubscribe') !== null)
    reasons.push('header List-Unsubscribe');
  return reasons;
}

/* ---------- replies and requests ---------- */

function replySignals({ msg, subject, ctx }: ClassifyInput): string[] {
  const reasons: string[] = [];
  const ids = [
    ...messageIds(headerValue(msg.headers, 'in-reply-to')),
    ...messageIds(headerValue(msg.headers, 'references')),
  ];
  if (ids.length && isOurThread(ids, ctx)) {
    const prefix = readPrefixes(subject).reply ? ' (reply prefix)' : '';
    reasons.push(`In-Reply-To/References names one of our messages${prefix}`);
  }

  const tag = extractReferenceTag(subject);
  if (tag) reasons.push(`subject carries reference ${tag}`);
  return reasons;
}

/**
 * Asks the store when it can; without one (the parse command), an id minted under our own
 * domain is taken as ours, since nobody else writes Message-IDs ending in it.
 */
function isOurThread(ids: string[], ctx: ParseContext): boolean {
  if (ctx.knownMessageIds) return ctx.knownMessageIds(ids);
  const domain = ctx.supportAddress?.split('@')[1]?.toLowerCase();
  return Boolean(domain) && ids.some((id) => id.toLowerCase().endsWith(`@${domain}`));
}

function requestOrIgnored(subject: string): { kind: MessageKind; reasons: string[] } {
  if (!matchesRequestSubject(subject)) {
    return { kind: 'ignored', reasons: ['subject does not carry the request phrase'] };
  }
  const prefixes = readPrefixes(subject);
  const how = prefixes.forward
    ? ' (forwarded)'
    : prefixes.reply
      ? ' (reply to an unknown thread)'
      : '';
  return { kind: 'unlock_request', reasons: [`subject carries the request phrase${how}`] };
}
