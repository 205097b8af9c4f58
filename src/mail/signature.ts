import { readLabelLine } from './labels';
import { ADDRESS_SOURCE, anyOf } from './patterns';
import { NAME_ONLY } from './prose';

/*
 * Signature blocks that no "-- " separator or sign-off introduces: a name line followed by a
 * job title, phone, address or web lines, or a bare name alone on the last line. They are the
 * writer's details, not the description of the problem.
 */

/** How many filled lines a signature block may take, name line included. */
const MAX_BLOCK_LINES = 8;

const ADDRESS = new RegExp(ADDRESS_SOURCE, 'u');
const CONTACT_PREFIX = anyOf(
  [
    't|tel|telephone|phone|ph|m|mob|mobile|cell|fax|f|w|web|website|direct|dd|office',
    'switchboard|ext|e|email|e-mail|mail|tél|telefon|handy|móvil|cellulare|tlf|teams|skype',
  ],
  'i',
  '^\\s*(?:',
  ')\\s*[:.|]',
);
const URL = /\bhttps?:\/\/|\bwww\.|\b[\p{L}\p{N}-]+\.(?:com|org|net|co\.uk|example)\/\S*/iu;
const PHONE = /\+?\d[\d ()./-]{7,}\d/;
/** Words that make a short capitalised line a job title or an organisation. */
const TITLE_WORD = anyOf(
  [
    'analyst|manager|director|officer|engineer|assistant|lead|head|consultant|coordinator',
    'specialist|administrator|accountant|supervisor|executive|partner|associate|developer',
    'advisor|adviser|architect|controller|clerk|secretary|president|founder|owner|intern',
    'team|department|dept|division|operations|finance|sales|support|services|university',
    'ltd|limited|inc|llc|llp|plc|gmbh|ag|sarl|s\\.?a\\.?|b\\.?v\\.?|ab|as|oy|sp\\. z o\\.o',
    'leiter|leiterin|geschäftsführer|abteilung|responsable|directeur|directrice|gerente',
    'jefe|responsabile|direttore|hoofd|afdeling|chef|kierownik|dyrektor',
  ],
  'i',
  '\\b(?:',
  ')(?![\\p{L}])',
);
/** Words of a sentence; a line with them is the message, not a title. */
const SENTENCE_WORD =
  /\b(?:i|i'm|my|me|is|am|are|was|were|has|have|can|can't|cannot|please|not|locked|log|login)\b/i;

export interface SignatureBlock {
  /** Index of the block's first line; everything from here on is the signature. */
  at: number;
  /** The name on the first line when the block has details under it, else null. */
  name: string | null;
}

/**
 * The trailing signature block of a segment, if any. Something must be written before it, and
 * a block of only a name and an email address is left alone: that is how some people give
 * their request fields, and the address may be the registered one.
 */
export function findSignatureBlock(lines: string[]): SignatureBlock | null {
  const filled = lines.map((l, i) => (l.trim() ? i : -1)).filter((i) => i >= 0);
  if (filled.length < 2) return null;

  const first = Math.max(1, filled.length - MAX_BLOCK_LINES);
  for (let k = first; k < filled.length; k++) {
    const block = filled.slice(k).map((i) => lines[i].trim());
    const nameLine = signatureName(block[0]);
    if (!nameLine || !startsBlock(lines, filled[k])) continue;

    const details = block.slice(1);
    if (details.length === 0 && k === filled.length - 1) return { at: filled[k], name: null };
    if (details.length > 0 && details.every(isDetail) && details.some(isStrongDetail)) {
      return { at: filled[k], name: nameLine };
    }
  }
  return null;
}

/**
 * A name line opens a block only after a blank line or a finished sentence, and never right
 * under a label ("Full name:\n\nJane Doe"), where it is the value the label asks for.
 */
function startsBlock(lines: string[], at: number): boolean {
  const before = lines[at - 1] ?? '';
  const label =
    lines
      .slice(0, at)
      .filter((l) => l.trim())
      .at(-1) ?? '';
  if (readLabelLine(label)?.field) return false;
  return !before.trim() || /[.!?)]\s*$/.test(before);
}

/** The name opening a signature: "Jane Doe", "Jane Doe | Analyst" or "Jane Doe, Analyst". */
function signatureName(line: string): string | null {
  if (line.length > 80 || readLabelLine(line)?.field) return null;
  const name = line.split(/\s*(?:[|,•·]|\s[-–—]\s)\s*/)[0].trim();
  if (name.split(' ').length > 4 || !NAME_ONLY.test(name)) return null;
  return name;
}

/** A line that may sit under the name in a signature. */
function isDetail(line: string): boolean {
  if (line.length > 100 || readLabelLine(line)?.field === 'description') return false;
  return isContact(line) || isTitle(line);
}

/** Details that only signatures have: a phone, a web address, a job title or organisation. */
function isStrongDetail(line: string): boolean {
  const onlyAddress = ADDRESS.test(line) && !PHONE.test(line) && !URL.test(line);
  return (isContact(line) && !onlyAddress) || isTitle(line);
}

function isContact(line: string): boolean {
  if (CONTACT_PREFIX.test(line) || URL.test(line) || ADDRESS.test(line)) return true;
  const phone = PHONE.exec(line);
  return Boolean(phone) && (phone?.[0].replace(/\D/g, '').length ?? 0) >= 9;
}

function isTitle(line: string): boolean {
  if (line.length > 70 || /[.!?]$/.test(line) || SENTENCE_WORD.test(line)) return false;
  return /^[\p{Lu}\p{N}]/u.test(line) && TITLE_WORD.test(line);
}

/**
 * A line that can belong to a long signature: a contact detail, or a short line that does
 * not read as a sentence (a title, an organisation, a line of a postal address).
 */
export function isSignatureLine(line: string): boolean {
  const text = line.trim();
  if (text.length > 200) return false;
  if (isContact(text) && !/[.!?]\s+\p{Ll}/u.test(text)) return true;
  return text.length <= 70 && !/[.!?]$/.test(text) && !SENTENCE_WORD.test(text);
}
