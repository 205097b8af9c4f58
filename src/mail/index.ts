import { hasCode } from '../errors';
import { analyseMessage } from './analyse';
import { readHeaderBlock, readMessage } from './read-message';
import type { MailMessage, ParseContext, ParsedEmail } from './types';

export type * from './types';
export { analyseMessage } from './analyse';
export { readMessage } from './read-message';
export { extractReferenceTag, matchesRequestSubject } from './subject';

/** Default deadline for one parse; the service passes PARSE_TIMEOUT_MS. */
const DEFAULT_TIMEOUT_MS = 5_000;

/**
 * Parses one raw message. Never throws on malformed mail: a body that cannot be read still
 * yields a kind from the headers, with the problem among the reasons. Rejects only with
 * PARSE_TIMEOUT, so the caller can keep the raw bytes and try again later.
 */
export async function parseEmail(
  raw: Buffer,
  ctx: ParseContext = {},
  opts: { timeoutMs?: number } = {},
): Promise<ParsedEmail> {
  const msg = await readSafely(raw, opts.timeoutMs ?? DEFAULT_TIMEOUT_MS);
  return analyseMessage(msg, ctx);
}

async function readSafely(raw: Buffer, timeoutMs: number): Promise<MailMessage> {
  try {
    return await readMessage(raw, { timeoutMs });
  } catch (err) {
    if (hasCode(err, 'PARSE_TIMEOUT')) throw err;
    return headersOnly(raw, err);
  }
}

function headersOnly(raw: Buffer, err: unknown): MailMessage {
  const reason = err instanceof Error ? err.message : 'unknown error';
  return {
    headers: readHeaderBlock(raw),
    text: null,
    html: null,
    attachments: 0,
    attachmentTypes: [],
    embedded: [],
    readProblem: `message unreadable: ${reason}`,
  };
}
