import { DateTime } from 'luxon';
import type { MailHeader } from './types';

/** The first value of a header, or null when absent. Names are matched case-insensitively. */
export function headerValue(headers: MailHeader[], name: string): string | null {
  const key = name.toLowerCase();
  return headers.find((h) => h.name === key)?.value ?? null;
}

export function headerValues(headers: MailHeader[], name: string): string[] {
  const key = name.toLowerCase();
  return headers.filter((h) => h.name === key).map((h) => h.value);
}

const ENCODED_WORD = /=\?([^?\s]+)\?([bBqQ])\?([^?\s]*)\?=/g;
const BETWEEN_WORDS = /(\?=)[ \t\r\n]+(?==\?)/g;

/**
 * Decodes RFC 2047 encoded words. Whitespace between two encoded words vanishes (section 6.2),
 * and adjacent words in one charset are joined as bytes first, because senders split a
 * multi-byte character across words.
 */
export function decodeWords(value: string): string {
  const joined = value.replace(BETWEEN_WORDS, '$1');
  const pieces: Array<{ charset: string | null; bytes: Buffer[]; text: string }> = [];
  let last = 0;

  for (const m of joined.matchAll(ENCODED_WORD)) {
    const at = m.index ?? 0;
    if (at > last) pieces.push({ charset: null, bytes: [], text: joined.slice(last, at) });
    const charset = m[1].split('*')[0].toLowerCase();
    const previous = pieces[pieces.length - 1];
    const bytes = wordBytes(m[2], m[3]);
    if (previous && previous.charset === charset) previous.bytes.push(bytes);
    else pieces.push({ charset, bytes: [bytes], text: '' });
    last = at + m[0].length;
  }
  pieces.push({ charset: null, bytes: [], text: joined.slice(last) });

  return pieces
    .map((p) => (p.charset ? decodeBytes(Buffer.concat(p.bytes), p.charset) : p.text))
    .join('');
}

function wordBytes(encoding: string, text: string): Buffer {
  if (encoding.toUpperCase() === 'B') return Buffer.from(text, 'base64');
  const spaced = text.replace(/_/g, ' ');
  const bytes: number[] = [];
  for (let i = 0; i < spaced.length; i++) {
    const hex = spaced.slice(i + 1, i + 3);
    if (spaced[i] === '=' && /^[0-9a-fA-F]{2}$/.test(hex)) {
      bytes.push(parseInt(hex, 16));
      i += 2;
    } else {
      bytes.push(spaced.charCodeAt(i) & 0xff);
    }
  }
  return Buffer.from(bytes);
}

/** Decodes bytes in a named charset; an unknown charset falls back to UTF-8, then Latin-1. */
export function decodeBytes(bytes: Buffer, charset: string): string {
  const label = charset.trim().toLowerCase();
  try {
    return new TextDecoder(label === 'utf8' ? 'utf-8' : label).decode(bytes);
  } catch {
    try {
      return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
    } catch {
      return new TextDecoder('windows-1252').decode(bytes);
    }
  }
}

/** Message-IDs in a header value, without angle brackets. */
export function messageIds(value: string | null): string[] {
  if (!value) return [];
  const bracketed = [...value.matchAll(/<([^<>\s]+)>/g)].map((m) => m[1]);
  if (bracketed.length) return bracketed;
  const bare = value.trim();
  return bare && !/\s/.test(bare) ? [bare] : [];
}

/** The Date header as ISO 8601 in UTC; null when it cannot be read. */
export function headerDate(value: string | null): string | null {
  if (!value) return null;
  const cleaned = value
    .replace(/\([^()]*\)/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
  const strict = DateTime.fromRFC2822(cleaned, { zone: 'utc' });
  if (strict.isValid) return strict.toUTC().toISO();

  const loose = new Date(cleaned);
  return Number.isNaN(loose.getTime()) ? null : loose.toISOString();
}

/** A bare address from a header such as Return-Path or Reply-To, lower-cased. */
export function firstAddress(value: string | null): string | null {
  if (!value) return null;
  const m = /(?<![^\s<>()",;:@])[^\s<>()",;:@]{1,64}@[^\s<>()",;:@]{1,255}/.exec(value);
  return m ? m[0].toLowerCase() : null;
}
