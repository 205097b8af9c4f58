import type { TextSegment } from './body';
import { expandInlineLabels, readLabelLine } from './labels';
import { ADDRESS_SOURCE, anyOf } from './patterns';
import type { LabelField } from './labels';
import { findProseAddresses, findProseName, mentionsSenderAsRegistered, NAME_ONLY } from './prose';
import type { AddressRank } from './prose';
import type { FieldName, FieldSource } from './types';

/*
 * Field extraction. Per field the strongest source wins: a labelled value, then a statement in
 * prose, then the sender's own address when the person says it is the registered one. The From
 * display name is never used as a name: people write nicknames and "Last, First" there.
 */

export interface ExtractedFields {
  fullName: string | null;
  registeredEmail: string | null;
  description: string | null;
  sources: Record<FieldName, FieldSource>;
}

export interface ExtractContext {
  /** The strict sender address, lower-cased. */
  from: string | null;
  /** Our own address, which is never a user's registered email. */
  supportAddress: string | null;
}

const MAX_DESCRIPTION = 4000;
const ADDRESS = new RegExp(ADDRESS_SOURCE, 'u');
const ISSUE_WORDS = anyOf(
  [
    '\\block(?:ed|out|ing)?\\b|password|passwort|mot de passe|contrase|log ?in|sign ?in',
    'access|attempt|error|fail|block|mfa|2fa|otp|expired|reset|can.?t|cannot|unable',
    'denied|disabled|suspended|gesperrt|bloqu|blocc|geblokkeerd|låst|zablokowan',
  ],
  'i',
);
const GREETING = anyOf(
  [
    'hi|hello|hey|dear|good (?:morning|afternoon|evening|day)|greetings',
    'hallo|guten (?:tag|morgen)|liebe|lieber|sehr geehrte|bonjour|salut|hola|buenos días',
    'buongiorno|ciao|gentile|hej|goedemorgen|goedemiddag|beste|dzień dobry|olá|bom dia',
  ],
  'i',
  '^\\s*',
  '\\b[^.!?\\n]{0,40}[,!.:]?\\s*$',
);

/** Reads the three fields from the body's segments. */
export function extractFields(segments: TextSegment[], ctx: ExtractContext): ExtractedFields {
  const readings = orderReadings(segments, ctx);
  const fields: ExtractedFields = {
    fullName: null,
    registeredEmail: null,
    description: null,
    sources: { fullName: 'none', registeredEmail: 'none', description: 'none' },
  };

  pickName(fields, readings);
  pickEmail(fields, readings, ctx);
  pickDescription(fields, readings);
  return fields;
}

/** One segment with its labelled values, and whether its writer is the message's sender. */
interface Reading {
  segment: TextSegment;
  labelled: Labelled;
  /** False throughout a forward: the sender's address belongs to the forwarder, not the user. */
  bySender: boolean;
  /** False for the forwarder's own note in a forward: there "I" is not the user. */
  aboutUser: boolean;
}

/**
 * In a forward the forwarded words come first, since they are the user's own; the forwarder's
 * note still counts for labels and for "his name is", but not for first-person statements, the
 * forwarder's sign-off or the forwarder's address.
 */
function orderReadings(segments: TextSegment[], ctx: ExtractContext): Reading[] {
  const isForward = segments.some((s) => s.forwarded);
  const readings = segments.map((segment) => ({
    segment,
    labelled: readLabelled(expandInlineLabels(segment.lines), ctx),
    bySender: !isForward,
    aboutUser: !isForward || segment.forwarded,
  }));
  return [
    ...readings.filter((r) => r.segment.forwarded),
    ...readings.filter((r) => !r.segment.forwarded),
  ];
}

function setField(fields: ExtractedFields, name: FieldName, value: string, source: FieldSource) {
  fields[name] = value;
  fields.sources[name] = source;
}

function pickName(fields: ExtractedFields, readings: Reading[]): void {
  const fromLabel = readings.map((r) => r.labelled.fullName).find(Boolean);
  if (fromLabel) return setField(fields, 'fullName', fromLabel, 'label');

  const fromProse = readings
    .map((r) => findProseName(r.segment.lines.join('\n'), r.aboutUser))
    .find(Boolean);
  if (fromProse) return setField(fields, 'fullName', fromProse, 'prose');

  const signed = readings
    .filter((r) => r.aboutUser)
    .map((r) => signedName(r.segment.signOffName))
    .find(Boolean);
  if (signed) setField(fields, 'fullName', signed, 'prose');
}

/** A sign-off name counts only when it is a full name; a first name alone is not enough. */
function signedName(line: string | null): string | null {
  if (!line) return null;
  const name = cleanName(line);
  if (!name || !NAME_ONLY.test(name)) return null;
  const cjk = /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}]/u.test(name);
  return cjk || name.split(' ').length >= 2 ? name : null;
}

/**
 * Every address candidate gets a score; the highest wins and the earliest breaks a tie. A
 * labelled address beats one near "registered" or "login", which beats the sender's own
 * address mentioned in prose. A plain "Email:" line among phone numbers is a signature.
 */
const EMAIL_SCORE = {
  strongLabel: 100,
  plainLabel: 90,
  proseKeyword: 80,
  senderStatement: 70,
  proseMyEmail: 60,
  contactLabel: 50,
  proseSender: 40,
} as const;

interface EmailCandidate {
  address: string;
  score: number;
  source: FieldSource;
}

function pickEmail(fields: ExtractedFields, readings: Reading[], ctx: ExtractContext): void {
  const candidates = readings.flatMap((r) => emailCandidates(r, ctx));
  const best = candidates.reduce<EmailCandidate | null>(
    (top, c) => (top && top.score >= c.score ? top : c),
    null,
  );
  if (best) setField(fields, 'registeredEmail', best.address, best.source);
}

function emailCandidates(reading: Reading, ctx: ExtractContext): EmailCandidate[] {
  const { labelled, segment, bySender } = reading;
  const found: EmailCandidate[] = [...labelled.emails];
  const sender = bySender ? ctx.from : null;
  if (sender && labelled.emailIsSender) {
    found.push({ address: sender, score: EMAIL_SCORE.strongLabel, source: 'sender' });
  }

  for (const prose of findProseAddresses(labelled.addressLines.join('\n'), ctx)) {
    if (prose.rank === 'sender' && !bySender) continue;
    found.push({ address: prose.address, score: proseScore(prose.rank), source: 'prose' });
  }

  if (sender && mentionsSenderAsRegistered(segment.lines.join(' '))) {
    found.push({ address: sender, score: EMAIL_SCORE.senderStatement, source: 'sender' });
  }
  return found;
}

function proseScore(rank: AddressRank): number {
  if (rank === 'keyword') return EMAIL_SCORE.proseKeyword;
  return rank === 'weak' ? EMAIL_SCORE.proseMyEmail : EMAIL_SCORE.proseSender;
}

function pickDescription(fields: ExtractedFields, readings: Reading[]): void {
  const fromLabel = readings.map((r) => r.labelled.description).find(Boolean);
  if (fromLabel) return setField(fields, 'description', fromLabel, 'label');

  const forwarded = proseOf(readings.filter((r) => r.segment.forwarded));
  const own = proseOf(readings.filter((r) => !r.segment.forwarded));
  const prose = [forwarded, own].find((text) => text && ISSUE_WORDS.test(text));
  if (prose) setField(fields, 'description', prose.slice(0, MAX_DESCRIPTION), 'prose');
}

/**
 * The prose of some readings as one text. A forward's description is the forwarded words
 * alone when they describe the problem, and the forwarder's own note only when they do not:
 * mixing the two puts two people's words into one account, out of order.
 */
function proseOf(readings: Reading[]): string {
  return collapse(readings.map((r) => r.labelled.proseLines.join('\n')).join('\n'));
}

/* ---------- labelled values ---------- */

interface Labelled {
  fullName: string | null;
  /** Every labelled address, scored by how specific its label is. */
  emails: EmailCandidate[];
  emailIsSender: boolean;
  description: string | null;
  /** Lines that are neither labels, label values nor greetings: the prose of the segment. */
  proseLines: string[];
  /** Lines where an address may be named in prose: all but contact blocks. */
  addressLines: string[];
}

function readLabelled(lines: string[], ctx: ExtractContext): Labelled {
  const found: Partial<Record<LabelField, string>> = {};
  const out: Labelled = {
    fullName: null,
    emails: [],
    emailIsSender: false,
    description: null,
    proseLines: [],
    addressLines: lines.filter((_, i) => !inContactBlock(lines, i)),
  };

  for (let i = 0; i < lines.length; i++) {
    const label = readLabelLine(lines[i]);
    if (!label?.field) {
      if (!GREETING.test(lines[i])) out.proseLines.push(lines[i]);
      continue;
    }
    const taken = readLabelValue(label.field, label.value, lines, i, ctx);
    if (taken.value && label.field === 'registeredEmail') {
      out.emails.push(labelledEmail(taken.value, lines, i));
    } else if (taken.value && !found[label.field]) {
      found[label.field] = taken.value;
    }
    if (taken.isSender) out.emailIsSender = true;
    i = taken.lastLine;
  }

  out.fullName = found.fullName ?? joinNames(found.firstName, found.lastName);
  out.description = found.description ?? null;
  return out;
}

/** Labels that name the account itself, not just "an email". */
const STRONG_EMAIL_LABEL =
  /regist|log-?in|log on|sign[- ]?in|\bams\b|account|user|konto|compte|cuenta/i;
const CONTACT_PREFIX = anyOf(
  [
    '(?:t|tel|telephone|phone|ph|m|mob|mobile|cell|fax|f|w|web|direct|office|switchboard)\\s*[:.|]',
    'www\\.',
  ],
  'i',
  '^\\s*',
);
const PHONE_NUMBER = /\+?\d[\d ()-]{8,}\d/;

/** A short line that starts like a contact detail or carries a phone number. */
function isContactLine(line: string): boolean {
  if (CONTACT_PREFIX.test(line)) return true;
  const phone = PHONE_NUMBER.exec(line);
  return Boolean(phone) && line.length < 100 && (phone?.[0].replace(/\D/g, '').length ?? 0) >= 9;
}

function labelledEmail(address: string, lines: string[], at: number): EmailCandidate {
  const labelText = lines[at].split(/[:：\t]|\s[-–—]\s/)[0];
  if (STRONG_EMAIL_LABEL.test(labelText)) {
    return { address, score: EMAIL_SCORE.strongLabel, source: 'label' };
  }
  const score = inContactBlock(lines, at) ? EMAIL_SCORE.contactLabel : EMAIL_SCORE.plainLabel;
  return { address, score, source: 'label' };
}

/** A line of a signature's contact block: a phone or web line on it or within two lines. */
function inContactBlock(lines: string[], at: number): boolean {
  for (let j = Math.max(0, at - 2); j <= Math.min(lines.length - 1, at + 2); j++) {
    if (isContactLine(lines[j])) return true;
  }
  return false;
}

interface TakenValue {
  value: string | null;
  isSender: boolean;
  /** The last line the value used, so the caller skips it. */
  lastLine: number;
}

function readLabelValue(
  field: LabelField,
  inline: string,
  lines: string[],
  at: number,
  ctx: ExtractContext,
): TakenValue {
  if (field === 'description') return readDescription(inline, lines, at);

  const next = inline ? null : nextValueLine(lines, at);
  const text = inline || next?.text || '';
  const lastLine = next ? next.at : at;

  if (field === 'registeredEmail') {
    const address = cleanAddress(text, ctx);
    const isSender = !address && mentionsSenderAsRegistered(`registered ${text}`);
    return { value: address, isSender, lastLine: address || isSender ? lastLine : at };
  }
  const name = cleanName(text);
  return { value: name, isSender: false, lastLine: name ? lastLine : at };
}

/** The next non-empty line, when it is a value rather than another label. */
function nextValueLine(lines: string[], at: number): { text: string; at: number } | null {
  for (let j = at + 1; j < lines.length && j <= at + 2; j++) {
    if (!lines[j].trim()) continue;
    return readLabelLine(lines[j]) ? null : { text: lines[j].trim(), at: j };
  }
  return null;
}

/** A description runs on until the next label; blank lines inside it are kept. */
function readDescription(inline: string, lines: string[], at: number): TakenValue {
  const parts = [inline];
  let last = at;
  for (let j = at + 1; j < lines.length; j++) {
    const label = readLabelLine(lines[j]);
    if (label?.field) break;
    parts.push(lines[j]);
    last = j;
  }
  const value = collapse(parts.join('\n')).slice(0, MAX_DESCRIPTION);
  return { value: value || null, isSender: false, lastLine: last };
}

/* ---------- value cleaning ---------- */

/** An address lower-cased, without mailto:, angle brackets or trailing punctuation. */
export function cleanAddress(text: string, ctx: ExtractContext): string | null {
  const m = ADDRESS.exec(text.replace(/mailto:/gi, ' '));
  if (!m) return null;
  const address = m[0].replace(/^[._%+-]+|[._%+-]+$/g, '').toLowerCase();
  return address === ctx.supportAddress ? null : address;
}

const QUOTES = /^["'“”‘’«»„‚`]+|["'“”‘’«»„‚`]+$/g;

/** A name trimmed, collapsed and unquoted; null when it does not look like a name. */
export function cleanName(text: string): string | null {
  const name = text
    .replace(/<[^>]*>|\([^)]*@[^)]*\)|\S+@\S+/g, ' ')
    .replace(/\s+/g, ' ')
    .trim()
    .replace(/[\s,;:.–—-]+$/, '')
    .replace(QUOTES, '')
    .trim();
  if (!name || name.length > 80 || /\d/.test(name)) return null;
  if (!/\p{L}/u.test(name) || name.split(' ').length > 8) return null;
  return name;
}

function joinNames(first?: string, last?: string): string | null {
  const joined = [first, last].filter(Boolean).join(' ');
  return joined ? joined : null;
}

function collapse(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}
