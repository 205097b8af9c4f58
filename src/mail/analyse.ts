import { hasHtmlAlternative, readBody } from './body';
import { classifyMessage } from './classify';
import { extractFields } from './extract';
import type { ExtractContext } from './extract';
import { decodeWords, firstAddress, headerDate, headerValue, messageIds } from './headers';
import { readSender } from './sender';
import { extractReferenceTag, normaliseSubject, readPrefixes } from './subject';
import type { FieldName, MailMessage, ParseContext, ParsedEmail } from './types';

const FIELDS: FieldName[] = ['fullName', 'registeredEmail', 'description'];

/**
 * Turns a read message into what later steps act on: its kind with reasons, the strict sender,
 * and for requests and replies the three fields with their sources. Pure; never throws.
 */
export function analyseMessage(msg: MailMessage, ctx: ParseContext): ParsedEmail {
  const subject = normaliseSubject(decodeWords(headerValue(msg.headers, 'subject') ?? ''));
  const sender = readSender(msg.headers);
  const verdict = classifyMessage({ msg, subject, sender, ctx });
  const reasons = msg.readProblem ? [...verdict.reasons, msg.readProblem] : verdict.reasons;

  const readsFields = verdict.kind === 'unlock_request' || verdict.kind === 'reply';
  const support = ctx.supportAddress?.toLowerCase() ?? null;
  const { body, fields } = readsFields
    ? readFields(msg, subject, { from: sender.address, supportAddress: support })
    : { body: readBody(msg, false), fields: emptyFields() };

  const isRequest = verdict.kind === 'unlock_request';
  return {
    kind: verdict.kind,
    reasons,
    ...threadHeaders(msg),
    subject,
    from: sender.address,
    sender,
    replyTo: firstAddress(headerValue(msg.headers, 'reply-to')),
    returnPath: verdict.nullReturnPath
      ? null
      : firstAddress(headerValue(msg.headers, 'return-path')),
    senderHeader: firstAddress(headerValue(msg.headers, 'sender')),
    date: headerDate(headerValue(msg.headers, 'date')),
    referenceTag: extractReferenceTag(subject),
    ...fields,
    missing: isRequest ? FIELDS.filter((f) => fields[f] === null) : [],
    senderMatchesRegistered:
      isRequest && fields.registeredEmail ? fields.registeredEmail === sender.address : null,
    autoSubmitted: verdict.autoSubmitted,
    bulk: verdict.bulk,
    nullReturnPath: verdict.nullReturnPath,
    attachments: msg.attachments,
    bodyText: body.text,
  };
}

/**
 * Reads the fields from the plain text; when it yields none and there is an HTML part, the
 * plain part was a stub ("view this message in HTML") and the HTML is read instead.
 */
function readFields(msg: MailMessage, subject: string, ctx: ExtractContext) {
  const forward = readPrefixes(subject).forward;
  const body = readBody(msg, forward);
  const fields = extractFields(body.segments, ctx);
  if (FIELDS.some((f) => fields[f] !== null) || !hasHtmlAlternative(msg)) return { body, fields };

  const htmlBody = readBody(msg, forward, 'html');
  return { body: htmlBody, fields: extractFields(htmlBody.segments, ctx) };
}

function threadHeaders(msg: MailMessage) {
  return {
    messageId: messageIds(headerValue(msg.headers, 'message-id'))[0] ?? null,
    inReplyTo: messageIds(headerValue(msg.headers, 'in-reply-to'))[0] ?? null,
    references: messageIds(headerValue(msg.headers, 'references')),
  };
}

function emptyFields() {
  return {
    fullName: null,
    registeredEmail: null,
    description: null,
    sources: { fullName: 'none', registeredEmail: 'none', description: 'none' } as const,
  };
}
