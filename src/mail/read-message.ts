import { setImmediate as nextTurn } from 'node:timers/promises';
import { MailParser } from 'mailparser';
import type { AttachmentStream, MessageText } from 'mailparser';
import { AppError } from '../errors';
import type { MailHeader, MailMessage } from './types';

/*
 * The only module that knows mailparser. Everything else sees MailMessage, so the MIME library
 * can be replaced (its authors now point new work to PostalMime) without touching the rules.
 */

export interface ReadOptions {
  /** Deadline for reading one message, body included. */
  timeoutMs: number;
}

/**
 * Bytes fed to the parser per turn of the event loop, so the deadline timer can fire. The
 * deadline is checked between slices: a loop inside the parser on one slice would not be cut.
 */
const CHUNK_BYTES = 64 * 1024;
/** Attached messages larger than this are counted but not read. */
const MAX_EMBEDDED_BYTES = 2 * 1024 * 1024;
/** Attached messages read per message; each gets its own deadline. */
const MAX_EMBEDDED = 3;
/** Text beyond this is dropped; no request needs more and huge bodies slow every rule. */
const MAX_TEXT_CHARS = 512 * 1024;

/**
 * Reads a raw RFC 5322 message into our own shape. Malformed MIME never rejects: the headers
 * are read by our own splitter and a body the parser cannot read leaves `readProblem` set.
 * Rejects with PARSE_TIMEOUT when the body is not read within `timeoutMs`.
 */
export async function readMessage(raw: Buffer, opts: ReadOptions): Promise<MailMessage> {
  return readWithDepth(raw, opts, 0);
}

async function readWithDepth(raw: Buffer, opts: ReadOptions, depth: number): Promise<MailMessage> {
  const headers = readHeaderBlock(raw);
  const body = await withDeadline((signal) => readBody(raw, signal), opts.timeoutMs);

  const embedded: MailMessage[] = [];
  if (depth === 0) {
    for (const part of body.embeddedRaw.slice(0, MAX_EMBEDDED)) {
      embedded.push(await readWithDepth(part, opts, depth + 1));
    }
  }

  return {
    headers,
    text: body.text,
    html: body.html,
    attachments: body.attachmentTypes.length,
    attachmentTypes: body.attachmentTypes,
    embedded,
    readProblem: body.problem,
  };
}

interface BodyResult {
  text: string | null;
  html: string | null;
  attachmentTypes: string[];
  embeddedRaw: Buffer[];
  problem: string | null;
}

interface Abortable {
  aborted: boolean;
  onAbort: (() => void) | null;
}

/** Runs `task` and rejects with PARSE_TIMEOUT when it outlives the deadline. */
async function withDeadline<T>(task: (signal: Abortable) => Promise<T>, timeoutMs: number) {
  const signal: Abortable = { aborted: false, onAbort: null };
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      signal.aborted = true;
      signal.onAbort?.();
      reject(new AppError('PARSE_TIMEOUT', `Parsing took longer than ${timeoutMs} ms`));
    }, timeoutMs);
    timer.unref();
  });

  try {
    return await Promise.race([task(signal), deadline]);
  } finally {
    clearTimeout(timer);
  }
}

/** We convert HTML ourselves and never need links, checksums or delivery reports as text. */
const PARSER_OPTIONS = {
  skipHtmlToText: true,
  skipTextToHtml: true,
  skipImageLinks: true,
  skipTextLinks: true,
  keepDeliveryStatus: true,
  checksumAlgo: false,
  maxHtmlLengthToParse: MAX_TEXT_CHARS,
} as const;

function readBody(raw: Buffer, signal: Abortable): Promise<BodyResult> {
  const parser = new MailParser(PARSER_OPTIONS);
  const result: BodyResult = {
    text: null,
    html: null,
    attachmentTypes: [],
    embeddedRaw: [],
    problem: null,
  };
  signal.onAbort = () => parser.destroy();

  return new Promise<BodyResult>((resolve) => {
    const finish = (problem: string | null) => {
      result.problem = result.problem ?? problem;
      signal.aborted = true;
      resolve(result);
    };
    parser.on('data', (data: AttachmentStream | MessageText) => {
      if (data.type === 'text') keepText(result, data);
      else drainAttachment(result, data);
    });
    // `on`, not `once`: a parser that failed may emit again, and an unheard 'error' would
    // end the process.
    parser.on('error', (err: Error) => finish(`body unreadable: ${err.message}`));
    parser.once('end', () => finish(null));

    feed(parser, raw, signal).catch((err: Error) => finish(`body unreadable: ${err.message}`));
  });
}

function keepText(result: BodyResult, data: MessageText): void {
  if (data.text) result.text = data.text.slice(0, MAX_TEXT_CHARS);
  if (data.html) result.html = data.html.slice(0, MAX_TEXT_CHARS);
}

/** Attachments are counted, never kept; only an attached message is read, one level deep. */
function drainAttachment(result: BodyResult, data: AttachmentStream): void {
  const type = (data.contentType || 'application/octet-stream').toLowerCase();
  result.attachmentTypes.push(type);
  const keep = type === 'message/rfc822';
  const chunks: Buffer[] = [];
  let size = 0;

  data.content.on('data', (chunk: Buffer) => {
    size += chunk.length;
    if (keep && size <= MAX_EMBEDDED_BYTES) chunks.push(chunk);
  });
  data.content.once('end', () => {
    if (keep && size <= MAX_EMBEDDED_BYTES) result.embeddedRaw.push(Buffer.concat(chunks));
    data.release?.();
  });
  data.content.on('error', () => data.release?.());
}

/** Writes the message in slices, yielding between them so a deadline can interrupt. */
async function feed(parser: MailParser, raw: Buffer, signal: Abortable): Promise<void> {
  for (let at = 0; at < raw.length && !signal.aborted; at += CHUNK_BYTES) {
    const accepted = parser.write(raw.subarray(at, at + CHUNK_BYTES));
    if (!accepted) await drained(parser);
    await nextTurn();
  }
  if (!signal.aborted) parser.end();
}

/** Resolves when the parser wants more input, or can take none ever again. */
function drained(parser: MailParser): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      parser.off('drain', done);
      parser.off('close', done);
      parser.off('error', done);
      resolve();
    };
    parser.once('drain', done);
    parser.once('close', done);
    parser.once('error', done);
  });
}

/**
 * Splits the header block ourselves: every From header is kept (mailparser merges them), and a
 * message whose MIME structure is broken still has a subject and a sender to classify by.
 */
export function readHeaderBlock(raw: Buffer): MailHeader[] {
  const end = findHeaderEnd(raw);
  const block = decodeHeaderBytes(raw.subarray(0, end));
  const headers: MailHeader[] = [];

  for (const line of block.split(/\r?\n(?![ \t])/)) {
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    const name = line.slice(0, colon).trim().toLowerCase();
    if (!/^[\x21-\x39\x3b-\x7e]+$/.test(name)) continue;
    const value = line
      .slice(colon + 1)
      .replace(/\r?\n[ \t]/g, ' ')
      .trim();
    headers.push({ name, value });
  }
  return headers;
}

function findHeaderEnd(raw: Buffer): number {
  const crlf = raw.indexOf('\r\n\r\n');
  const lf = raw.indexOf('\n\n');
  const ends = [crlf, lf].filter((i) => i >= 0);
  return ends.length ? Math.min(...ends) : raw.length;
}

/** Headers should be ASCII; raw UTF-8 is common (RFC 6532) and anything else is read as Latin-1. */
function decodeHeaderBytes(bytes: Buffer): string {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return new TextDecoder('windows-1252').decode(bytes);
  }
}
