import { anyOf } from './patterns';

/*
 * Labelled fields ("Full name: ...", "Name - ...", "Email address registered with AMS" on one
 * line and the value on the next). A label is recognised by what it says, not by one spelling.
 */

export type LabelField = 'fullName' | 'firstName' | 'lastName' | 'registeredEmail' | 'description';

export interface LabelLine {
  field: LabelField | null;
  /** Text after the separator, trimmed; '' when the value is on the following lines. */
  value: string;
}

const LEADER = /^\s*(?:[-*•·◦‣▪►>]+\s*|\(?\d{1,2}[.):]\s*|\(?[a-h][.)]\s+)/i;
const SEPARATOR = /^(.{1,60}?)\s*(?::|：|\s[-–—]+\s|\t+|\s{2,}|\s=\s)\s*(.*)$/u;
const LABEL_TEXT = /^[\p{L}][\p{L}\p{M} ()'’/-]*$/u;

const DESCRIPTION_STRONG = anyOf(
  [
    'descri|issue|problem|what happened|beschreibung|probl[eè]m',
    'omschrijving|beskrivning|opis\\b|błąd',
  ],
  'i',
);
const EMAIL_WORDS = anyOf(
  [
    'e-?mail|mail address|log-?in|log on|sign[- ]?in|user ?name|user ?id',
    'correo|adresse|indirizzo|adres\\b|postadress|benutzer|anmelde|e-?post',
  ],
  'i',
);
const NOT_A_PERSON = anyOf(
  [
    'company|business|organi[sz]ation|manager|department|team|firm|employer',
    'display|file|product|server|host',
  ],
  'i',
  '\\b',
  '\\b',
);
const NAME_WORDS = anyOf(
  [
    '\\b(?:name|nom|nombre|nome|naam|namn|navn|imię|nazwisko|nimi|jméno)\\b',
    '\\b(?:vorname|nachname|prénom|apellidos?)\\b',
    '^full$',
  ],
  'i',
);
const FIRST_NAME =
  /^(?:your )?(?:first|given|fore|christian) ?name$|^forename$|^vorname$|^prénom$|^imię$/i;
const LAST_NAME = anyOf(
  ['(?:your )?(?:last|family|sur) ?name', 'surname|nachname|nom de famille|apellidos?|nazwisko'],
  'i',
  '^',
  '$',
);
const DESCRIPTION_WEAK = anyOf(
  [
    'details?|reason|summary|comments?|message|notes?',
    'explanation|situation|error|what went wrong',
  ],
  'i',
  '\\b',
  '\\b',
);

/** Words that occur in sentences but not in form labels ("My email:" is a label, though). */
const SENTENCE_WORDS =
  /\b(?:i|i'm|was|were|says|said|since|then|but|because|when|after|before|still|again|we)\b/i;
/** A label alone on its line, without a colon, must look even less like a sentence. */
const LOOSE_SENTENCE_WORDS =
  /\b(?:my|me|is|are|has|have|had|can|can't|cannot|will|it|this|that|not|please)\b/i;

/** Reads a line as "label separator value", or a label alone; null when it is not a label. */
export function readLabelLine(line: string): LabelLine | null {
  const text = stripLeader(line);
  const split = SEPARATOR.exec(text);
  if (split) {
    const field = classifyLabel(split[1]);
    if (field) return { field, value: split[2].trim() };
  }

  const hasColon = /[:：?？]\s*$/.test(text);
  const alone = text.replace(/[:：?？]\s*$/, '').trim();
  const loose = !hasColon && (LOOSE_SENTENCE_WORDS.test(alone) || alone.split(/\s+/).length > 6);
  const field = loose ? null : classifyLabel(alone);
  return field ? { field, value: '' } : null;
}

/** Removes list numbering, bullets and markdown emphasis around a label. */
export function stripLeader(line: string): string {
  return line
    .replace(LEADER, '')
    .replace(/\*\*|__/g, '')
    .replace(/^\s*\*\s*|\s*\*\s*$/g, '')
    .trim();
}

/** Which field a label text names, if any. */
export function classifyLabel(raw: string): LabelField | null {
  const label = raw.replace(/\s+/g, ' ').trim().toLowerCase();
  if (!label || label.length > 60 || !LABEL_TEXT.test(label)) return null;
  if (label.split(' ').length > 8 || SENTENCE_WORDS.test(label)) return null;
  const bare = label.replace(/\([^)]*\)/g, '').trim();

  if (DESCRIPTION_STRONG.test(bare)) return 'description';
  if (FIRST_NAME.test(bare)) return 'firstName';
  if (LAST_NAME.test(bare)) return 'lastName';
  if (EMAIL_WORDS.test(bare)) return 'registeredEmail';
  if (NAME_WORDS.test(bare)) return NOT_A_PERSON.test(bare) ? null : 'fullName';
  if (/\b(?:account|konto|compte|cuenta)\b/.test(bare)) return 'registeredEmail';
  if (DESCRIPTION_WEAK.test(bare) && bare.split(' ').length <= 4) return 'description';
  return null;
}

const INLINE_LABEL = anyOf(
  [
    'full name|name|registered e-?mail(?: address)?|e-?mail(?: address)?',
    'ams login|login|username|description|issue|problem',
  ],
  'i',
  '[\\s,;|]+(',
  ')\\s*[:：]',
);

/**
 * Splits "Name: Jane Doe, Email: jane@x.com, Issue: locked" into one line per label. Only a
 * line that starts with a label is split, so prose with a colon in it is left alone.
 */
export function expandInlineLabels(lines: string[]): string[] {
  const out: string[] = [];
  for (const line of lines) {
    let rest = line;
    for (let guard = 0; guard < 6; guard++) {
      const first = readLabelLine(rest);
      if (!first?.field || !first.value) break;
      const valueAt = rest.lastIndexOf(first.value);
      const m = INLINE_LABEL.exec(rest.slice(valueAt));
      if (!m || m.index === undefined) break;
      const cut = valueAt + m.index + m[0].indexOf(m[1]);
      out.push(rest.slice(0, cut).replace(/[\s,;|]+$/, ''));
      rest = rest.slice(cut);
    }
    out.push(rest);
  }
  return out;
}
