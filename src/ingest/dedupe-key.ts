import { createHash } from 'node:crypto';

/** The header block: everything before the first empty line (CRLF or bare LF). */
export function headerBlock(raw: Buffer): Buffer {
  const crlf = raw.indexOf('\r\n\r\n');
  const lf = raw.indexOf('\n\n');
  const ends = [crlf, lf].filter((i) => i >= 0);
  return ends.length === 0 ? raw : raw.subarray(0, Math.min(...ends));
}

/** The Message-ID without angle brackets, read from the first Message-ID header. */
export function readMessageId(headers: Buffer): string | null {
  const unfolded = headers.toString('latin1').replace(/\r?\n[ \t]+/g, ' ');
  const match = /^message-id:[ \t]*<?([^<>\s]+)>?/im.exec(unfolded);
  // An id with control characters (a NUL cannot even be stored as text) counts as none.
  if (!match || /[\u0000-\u001f\u007f]/.test(match[1])) return null;
  return match[1].slice(0, 900);
}

export function sha256(data: Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}

/**
 * How a message is recognised when it is delivered twice: its Message-ID, or a hash of its
 * header block when it has none (Received lines make two real deliveries differ).
 */
export function dedupeKey(headers: Buffer): { key: string; messageId: string | null } {
  const messageId = readMessageId(headers);
  return messageId
    ? { key: `mid:${messageId}`, messageId }
    : { key: `hdr:${sha256(headers)}`, messageId: null };
}
