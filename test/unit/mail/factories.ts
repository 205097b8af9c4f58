import { parseEmail } from '../../../src/mail';
import type { ParseContext, ParsedEmail } from '../../../src/mail';

/** Builders for test messages: CRLF line endings, as read from the mailbox. */

export const SUPPORT = 'support@ams-support.example';
export const CTX: ParseContext = { supportAddress: SUPPORT };

export interface MessageSpec {
  from?: string | string[] | null;
  /** Return-Path value; '<jane.doe@example.com>' unless given. */
  returnPath?: string;
  subject?: string;
  /** Extra header lines, e.g. 'Auto-Submitted: auto-replied'. */
  headers?: string[];
  contentType?: string;
  transferEncoding?: string;
  /** Body text as written; \n becomes CRLF. */
  body?: string | Buffer;
}

export function buildMessage(spec: MessageSpec = {}): Buffer {
  const from = spec.from === undefined ? 'Jane Doe <jane.doe@example.com>' : spec.from;
  const froms = from === null ? [] : Array.isArray(from) ? from : [from];
  const head = [
    `Return-Path: ${spec.returnPath ?? '<jane.doe@example.com>'}`,
    ...froms.map((f) => `From: ${f}`),
    `To: ${SUPPORT}`,
    `Subject: ${spec.subject ?? 'AMS Account Unlock Request'}`,
    'Date: Mon, 3 Mar 2025 09:12:31 +0000',
    'Message-ID: <test.1@mail.example.com>',
    'MIME-Version: 1.0',
    ...(spec.headers ?? []),
    `Content-Type: ${spec.contentType ?? 'text/plain; charset=utf-8'}`,
    `Content-Transfer-Encoding: ${spec.transferEncoding ?? '8bit'}`,
  ].join('\r\n');
  const body = spec.body ?? '';
  const bodyBytes = typeof body === 'string' ? Buffer.from(body.replace(/\r?\n/g, '\r\n')) : body;
  return Buffer.concat([Buffer.from(head + '\r\n\r\n'), bodyBytes]);
}

export function parse(spec: MessageSpec, ctx: ParseContext = CTX): Promise<ParsedEmail> {
  return parseEmail(buildMessage(spec), ctx);
}

/** A multipart body from [contentType, transferEncoding, content] parts. */
export function multipart(boundary: string, parts: Array<[string, string, string]>): string {
  const chunks = parts.map(
    ([type, enc, content]) =>
      `--${boundary}\nContent-Type: ${type}\nContent-Transfer-Encoding: ${enc}\n\n${content}\n`,
  );
  return `${chunks.join('')}--${boundary}--\n`;
}

export function squash(text: string | null): string {
  return (text ?? '').replace(/\s+/g, ' ').trim().toLowerCase();
}
