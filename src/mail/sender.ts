import { decodeWords, headerValues } from './headers';
import { ADDRESS_SOURCE } from './patterns';
import type { MailHeader, SenderIdentity } from './types';

/*
 * The From header is the only identity claim we act on (issue 5), so it is read strictly:
 * anything other than exactly one plain mailbox leaves the address null and names the problem.
 * Lenient readers pick one of several addresses, and an attacker chooses which.
 */

const ADDRESS = /^[^\s@<>(),;:"[\]\\]+@[^\s@<>(),;:"[\]\\]+\.[^\s@<>(),;:"[\]\\]+$/;
const ADDRESS_INSIDE = new RegExp(ADDRESS_SOURCE, 'gu');

/** Reads the From header(s) under the strict rule. */
export function readSender(headers: MailHeader[]): SenderIdentity {
  const values = headerValues(headers, 'from');
  if (values.length === 0) return unverifiable(null, 'no From');
  if (values.length > 1) return unverifiable(null, 'several From headers');

  const scan = scanAddressList(values[0]);
  if (scan.groupColon) return unverifiable(null, 'group syntax');
  if (scan.mailboxes.length === 0) return unverifiable(null, 'no From');
  if (scan.mailboxes.length > 1) return unverifiable(null, 'several mailboxes');

  return readMailbox(scan.mailboxes[0]);
}

function unverifiable(displayName: string | null, problem: string): SenderIdentity {
  return { address: null, displayName, problem };
}

interface Mailbox {
  /** Text outside angle brackets and comments, quotes removed. */
  phrase: string;
  angles: string[];
  comments: string[];
  /** Everything outside angle brackets as written: quotes, comments and all. */
  outside: string;
}

function readMailbox(box: Mailbox): SenderIdentity {
  if (box.angles.length > 1) return unverifiable(null, 'several mailboxes');

  const hasAngle = box.angles.length === 1;
  const candidate = (hasAngle ? box.angles[0].replace(/^@[^:]*:/, '') : box.phrase).trim();
  const nameText = hasAngle ? box.phrase : box.comments.join(' ');
  const displayName = cleanDisplayName(decodeWords(nameText));

  if (candidate.length > 254 || !ADDRESS.test(candidate))
    return unverifiable(displayName, 'no valid address');
  const address = candidate.toLowerCase();

  if (hiddenAddresses(box.outside).some((a) => a !== address)) {
    return unverifiable(displayName, 'display name contains another address');
  }
  return { address, displayName, problem: null };
}

/**
 * Addresses written in the display name or a comment, including ones disguised with
 * look-alike characters: full-width or small at-signs and dots, full-width letters, and
 * "(at)" / "[at]" / "(dot)" spellings. Compatibility normalisation (NFKC) folds the
 * look-alikes Unicode lists as equivalents (＠ U+FF20, ﹫ U+FE6B, ．) to their plain forms.
 */
function hiddenAddresses(outside: string): string[] {
  const text = decodeWords(outside)
    .normalize('NFKC')
    .replace(/[\u2024\u3002\uff61]/g, '.')
    .replace(/\s*[([{]\s*at\s*[)\]}]\s*/gi, '@')
    .replace(/\s*[([{]\s*dot\s*[)\]}]\s*/gi, '.');
  return (text.match(ADDRESS_INSIDE) ?? []).map((a) => a.toLowerCase());
}

function cleanDisplayName(text: string): string | null {
  const name = text.replace(/\s+/g, ' ').trim();
  return name ? name : null;
}

interface AddressListScan {
  mailboxes: Mailbox[];
  groupColon: boolean;
}

/**
 * Walks an address list once, honouring quoted strings, comments and angle brackets, so that
 * a comma or colon inside a display name is not mistaken for structure.
 */
function scanAddressList(value: string): AddressListScan {
  const mailboxes: Mailbox[] = [];
  let current = emptyMailbox();
  let groupColon = false;

  for (let i = 0; i < value.length; i++) {
    const ch = value[i];
    if (ch === '"') {
      const end = closingQuote(value, i);
      const quoted = value.slice(i + 1, end).replace(/\\(.)/g, '$1');
      current.phrase += quoted;
      current.outside += quoted;
      i = end;
    } else if (ch === '(') {
      const end = closingParen(value, i);
      current.comments.push(value.slice(i + 1, end));
      current.outside += value.slice(i, end + 1);
      i = end;
    } else if (ch === '<') {
      const end = value.indexOf('>', i);
      const stop = end < 0 ? value.length : end;
      current.angles.push(value.slice(i + 1, stop));
      current.outside += ' ';
      i = stop;
    } else if (ch === ',' || ch === ';') {
      pushMailbox(mailboxes, current);
      current = emptyMailbox();
    } else if (ch === ':') {
      groupColon = true;
    } else {
      current.phrase += ch;
      current.outside += ch;
    }
  }
  pushMailbox(mailboxes, current);
  return { mailboxes, groupColon };
}

function emptyMailbox(): Mailbox {
  return { phrase: '', angles: [], comments: [], outside: '' };
}

function pushMailbox(list: Mailbox[], box: Mailbox): void {
  if (box.phrase.trim() || box.angles.length) list.push(box);
}

function closingQuote(value: string, open: number): number {
  for (let i = open + 1; i < value.length; i++) {
    if (value[i] === '\\') i++;
    else if (value[i] === '"') return i;
  }
  return value.length;
}

function closingParen(value: string, open: number): number {
  let depth = 0;
  for (let i = open; i < value.length; i++) {
    if (value[i] === '\\') i++;
    else if (value[i] === '(') depth++;
    else if (value[i] === ')' && --depth === 0) return i;
  }
  return value.length;
}
