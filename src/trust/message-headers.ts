/** One header field: the name in lower case and the value with folding undone (RFC 5322 2.2.3). */
export interface HeaderField {
  name: string;
  value: string;
}

/** A field name is printable US-ASCII without ':' (RFC 5322 2.2). */
const FIELD_NAME = /^[!-9;-~]+$/;

/** Characters that cannot stand in a domain taken from an address. */
const NOT_IN_DOMAIN = /[\s@<>()[\],;:"\\]/;

/**
 * The header fields of a raw message, top to bottom. Only the header block is decoded, so a large
 * body costs nothing. Lines that are not fields (an mbox "From " line, say) are skipped.
 */
export function readHeaderFields(raw: Buffer | string): HeaderField[] {
  const block = headerBlock(raw);
  const unfolded = block.replace(/\r?\n(?=[ \t])/g, '');

  const fields: HeaderField[] = [];
  for (const line of unfolded.split(/\r?\n/)) {
    const colon = line.indexOf(':');
    const name = line.slice(0, colon).trim();
    if (colon < 1 || !FIELD_NAME.test(name)) continue;
    fields.push({ name: name.toLowerCase(), value: line.slice(colon + 1).trim() });
  }
  return fields;
}

function headerBlock(raw: Buffer | string): string {
  const ends = [raw.indexOf('\r\n\r\n'), raw.indexOf('\n\n')].filter((i) => i >= 0);
  const end = ends.length > 0 ? Math.min(...ends) : raw.length;
  return typeof raw === 'string' ? raw.slice(0, end) : raw.subarray(0, end).toString('utf8');
}

/**
 * Removes RFC 5322 comments, "(like this)", nested or not, from a header value. Parentheses inside
 * quoted strings are text, not comments, and a backslash escapes the next character in both.
 */
export function removeComments(value: string): string {
  return stripValue(value, false);
}

/** Removes comments and quoted strings (display names, say), leaving the bare structure. */
export function removeCommentsAndQuotes(value: string): string {
  return stripValue(value, true);
}

/**
 * One pass over the value, so its cost grows with the length only; a regular expression for quoted
 * strings with escapes takes quadratic time on a crafted header.
 */
function stripValue(value: string, dropQuoted: boolean): string {
  let out = '';
  let depth = 0;
  let inQuote = false;

  for (let i = 0; i < value.length; i++) {
    const c = value[i];
    const visible = depth === 0 && !(inQuote && dropQuoted);
    if (c === '\\' && (inQuote || depth > 0)) {
      if (visible) out += c + (value[i + 1] ?? '');
      i++;
    } else if (depth === 0 && c === '"') {
      inQuote = !inQuote;
      out += dropQuoted ? ' ' : c;
    } else if (!inQuote && c === '(') {
      depth++;
    } else if (depth > 0 && c === ')') {
      depth--;
      if (depth === 0) out += ' ';
    } else if (visible) {
      out += c;
    }
  }
  return out;
}

/**
 * The domain of the one mailbox in the message's From header, or null when there is not exactly
 * one From header holding exactly one address. A display name that itself contains an address
 * makes the header ambiguous, so it also gives null.
 */
export function fromHeaderDomain(fields: HeaderField[]): string | null {
  const froms = fields.filter((f) => f.name === 'from');
  if (froms.length !== 1) return null;

  const bare = removeCommentsAndQuotes(froms[0].value);
  if (bare.split('@').length !== 2) return null;

  const angled = [...bare.matchAll(/<([^<>]*)>/g)];
  if (angled.length > 1) return null;
  const address = angled.length === 1 ? angled[0][1] : bare.trim();
  if (/[\s,]/.test(address.trim())) return null;
  return domainOfAddress(address);
}

/** The domain part of an address, lower case and without a trailing dot; null if there is none. */
export function domainOfAddress(address: string | null | undefined): string | null {
  if (!address) return null;
  const trimmed = address.trim();
  const at = trimmed.lastIndexOf('@');
  if (at < 1) return null;

  const domain = trimmed
    .slice(at + 1)
    .toLowerCase()
    .replace(/\.$/, '');
  if (domain === '' || NOT_IN_DOMAIN.test(domain)) return null;
  return domain;
}
