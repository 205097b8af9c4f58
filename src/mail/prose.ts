import { ADDRESS_SOURCE, anyOf } from './patterns';

/*
 * Unlabelled prose: "my name is ... and my AMS login is ...". Names are read only after an
 * introduction; addresses are ranked by what the words just before them say.
 */

const PARTICLE =
  "(?:van|von|der|den|de|da|di|del|della|du|le|la|bin|binti|al|dos|das|ten|ter|zu|y|e|mc|o')";
const CAP_WORD = "[\\p{Lu}](?:[\\p{L}\\p{M}'’-]*[\\p{L}\\p{M}]|\\.)?";
const CJK = '[\\p{Script=Han}\\p{Script=Hiragana}\\p{Script=Katakana}\\p{Script=Hangul}]+';
const TOKEN = `(?:${CAP_WORD}|${CJK})`;
const NAME_CAPS = `${TOKEN}(?:[ \\u3000](?:${PARTICLE} )*${TOKEN}){0,4}`;

/** A whole string that reads as a capitalised personal name. */
export const NAME_ONLY = new RegExp(`^${NAME_CAPS}$`, 'u');

/** Introductions that are always followed by a name. */
const EXPLICIT_INTRO = anyOf(
  [
    "my (?:full |legal )?name is|my name's|name is",
    'mein name ist|ich heiße|je m.appelle|mon nom est|me llamo|mi nombre es',
    'mi chiamo|il mio nome è|mijn naam is|ik heet|jag heter|mitt namn är',
    'jeg heter|mit navn er|nazywam się|mam na imię|meu nome é|chamo-me|o meu nome é',
  ],
  'giu',
  '\\b',
  '\\s+',
);
/** Introductions that may be followed by a name or by anything else ("I'm locked out"). */
const LOOSE_INTRO = anyOf(
  ["i'm|i’m|i am|this is|it's|it’s", 'ich bin|je suis|soy|sono|ik ben|jag är|jeg er|jestem|sou'],
  'giu',
  '(?:^|[\\s,.;!(])',
  '\\s+',
);

const NOT_A_NAME = anyOf(
  [
    'Locked|Unable|Writing|Having|Getting|Trying|Not|The|A|An|Still|Currently|Sorry|Away',
    'Out|In|On|At|From|Using|Based|Also|Now|Here|AMS|Very|So|Really|Just|Contacting',
    'Emailing|Reaching|Sending|Following|Your|Our|My|Please|Hoping|Afraid|Unfortunately',
    'Locked-out|Travelling|Traveling|Working|New|Urgent|Stuck|Blocked|Sure|Happy|Glad',
    'Looking|Asking|Requesting|Attaching|Forwarding|Told|Able|Logged|Going|Waiting|Back',
  ],
  '',
  '^',
  '$',
);
const NAME_STOP =
  /^(?:and|but|from|at|with|i|my|in|of|who|here|und|et|y|e|en|och|og|i|from|for|on|to|the)$/i;
const ORGANISATION = anyOf(
  [
    'Team|Support|Department|Office|Services|Service|Ltd|Limited|Inc|GmbH|Group|Desk',
    'Analyst|Manager|Director|Officer|Operations|Finance|Sales|Engineer|Assistant',
    'Admin|Administrator|University|Council|Hospital',
  ],
  '',
  '\\b',
  '\\b',
);

/**
 * The name a person introduces themselves with, or null. A name is only found after an
 * introduction, and a lower-case one only after "my name is"; a bare name line is not read.
 */
export function findProseName(text: string, firstPerson = true): string | null {
  const flat = text.replace(/\s+/g, ' ');
  if (!firstPerson) return thirdPersonName(flat);
  return explicitName(flat) ?? looseName(flat) ?? nameHere(text) ?? thirdPersonName(flat);
}

const THIRD_PERSON_INTRO = anyOf(
  [
    "(?:his|her|their|the user's|the user’s|the employee's) (?:full )?name is",
    'on behalf of',
    'sein name ist|ihr name ist|son nom est|su nombre es',
  ],
  'giu',
  '\\b',
  '\\s+',
);

/** "His name is Tom Heslop", "on behalf of Tom Heslop": a full name introduced by another. */
function thirdPersonName(text: string): string | null {
  for (const m of text.matchAll(THIRD_PERSON_INTRO)) {
    const name = nameAt(text, (m.index ?? 0) + m[0].length);
    if (name && name.split(' ').length >= 2 && !NOT_A_NAME.test(name.split(' ')[0])) return name;
  }
  return null;
}

const NAME_HERE = new RegExp(`(?:^|[.!?][ \\t]+|\\n)[ \\t]*(${NAME_CAPS}) here\\b`, 'u');

/** "Jane Doe here - locked out of AMS": a full name that opens a sentence. */
function nameHere(text: string): string | null {
  const m = NAME_HERE.exec(text);
  if (!m || m[1].split(' ').length < 2 || ORGANISATION.test(m[1])) return null;
  return NOT_A_NAME.test(m[1].split(' ')[0]) ? null : m[1];
}

function explicitName(text: string): string | null {
  for (const m of text.matchAll(EXPLICIT_INTRO)) {
    const start = (m.index ?? 0) + m[0].length;
    const caps = nameAt(text, start);
    if (caps) return caps;
    const plain = lowerCaseNameAt(text, start);
    if (plain) return plain;
  }
  return null;
}

function looseName(text: string): string | null {
  for (const m of text.matchAll(LOOSE_INTRO)) {
    const name = nameAt(text, (m.index ?? 0) + m[0].length);
    if (!name) continue;
    const words = name.split(/[ \u3000]/);
    if (NOT_A_NAME.test(words[0])) continue;
    const cjk = new RegExp(`^${CJK}`, 'u').test(name);
    if (words.length >= 2 || cjk) return name;
  }
  return null;
}

/** A capitalised name starting exactly at `start`. */
function nameAt(text: string, start: number): string | null {
  const re = new RegExp(NAME_CAPS, 'uy');
  re.lastIndex = start;
  const m = re.exec(text);
  if (!m) return null;
  const name = trimName(m[0]);
  return name && !ORGANISATION.test(name) ? name : null;
}

/** "my name is priya raman and ...": up to four words, ended by punctuation or a small word. */
function lowerCaseNameAt(text: string, start: number): string | null {
  const words: string[] = [];
  for (const word of text.slice(start).split(' ')) {
    const bare = word.replace(/[,.;:!?)]+$/, '');
    if (!bare || NAME_STOP.test(bare) || !/^[\p{L}'’-]+$/u.test(bare)) break;
    words.push(bare);
    if (bare !== word || words.length === 4) break;
  }
  return words.length ? words.join(' ') : null;
}

function trimName(name: string): string {
  const words = name.split(' ');
  while (words.length > 1 && NAME_STOP.test(words[words.length - 1])) words.pop();
  return words.join(' ').replace(/[.'’-]+$/, (tail) => (/^\.$/.test(tail) ? tail : ''));
}

/* ---------- addresses in prose ---------- */

export type AddressRank = 'keyword' | 'weak' | 'sender';

export interface ProseAddress {
  address: string;
  rank: AddressRank;
}

interface AddressContext {
  from: string | null;
  supportAddress: string | null;
}

const ADDRESS_G = new RegExp(`(?:mailto:)?(${ADDRESS_SOURCE})`, 'gu');
const KEYWORD = anyOf(
  [
    'regist|log[- ]?in|log on|sign[- ]?in|user ?name|user ?id|account|\\bams\\b',
    'anmelde|konto|compte|inscrit|cuenta|registrad|registrat|geregistreerd|registrerad',
    'zarejestrowan',
  ],
  'gi',
);
const NEGATIVE = anyOf(
  [
    'reply|respond|contact|reach|write (?:back )?to|\\bcc\\b|copy|colleague|manager',
    'personal|private|alternat|backup|instead|secondary|forward',
    'writing from|sending from|emailing from|other|gmail|home',
  ],
  'gi',
);
const KEYWORD_AFTER = anyOf(
  ['registered|login|log-in|ams|account|username|user name'],
  'i',
  "^[\\s>)\\]]*[,(-]?\\s*(?:is|which is|that's|that is|this is)?\\s*(?:my|the|our)?\\s*",
);
const MY_EMAIL = /\bmy (?:work |company |office )?(?:e-?mail|address|e-?mail address)\b/gi;
/**
 * Addresses named in prose, each ranked: near "registered" or "login" (keyword), after "my
 * email is" (weak), or the sender's own address mentioned in passing (sender).
 */
export function findProseAddresses(text: string, ctx: AddressContext): ProseAddress[] {
  return rankAddresses(text.replace(/\s+/g, ' '), ctx);
}

function rankAddresses(text: string, ctx: AddressContext): ProseAddress[] {
  const out: ProseAddress[] = [];
  let previousEnd = 0;
  for (const m of text.matchAll(ADDRESS_G)) {
    const at = m.index ?? 0;
    const address = m[1].replace(/^[._%+-]+|[._%+-]+$/g, '').toLowerCase();
    const before = clauseBefore(text.slice(Math.max(previousEnd, at - 140), at));
    const after = text.slice(at + m[0].length, at + m[0].length + 60);
    previousEnd = at + m[0].length;
    if (address === ctx.supportAddress) continue;

    const rank = rankOne(address, before, after, ctx.from);
    if (rank) out.push({ address, rank });
  }
  return out;
}

/** The words before an address back to the start of their sentence. */
function clauseBefore(text: string): string {
  const parts = text.split(/[.!?](?:\s|$)|\n\n/);
  return parts[parts.length - 1];
}

function rankOne(
  address: string,
  before: string,
  after: string,
  from: string | null,
): AddressRank | null {
  const keywordAt = lastIndex(KEYWORD, before);
  const negativeAt = lastIndex(NEGATIVE, before);
  if ((keywordAt >= 0 && keywordAt > negativeAt) || KEYWORD_AFTER.test(after)) return 'keyword';
  if (address === from) return 'sender';
  if (lastIndex(MY_EMAIL, before) > negativeAt) return 'weak';
  return null;
}

function lastIndex(re: RegExp, text: string): number {
  let last = -1;
  for (const m of text.matchAll(re)) last = m.index ?? last;
  return last;
}

const SENDER_IS_REGISTERED = anyOf(
  [
    '(?:regist|login|log-?in|sign[- ]?in|account|\\bams\\b)[^.!?]{0,60}\\b(?:' +
      [
        'this (?:e-?mail|address|account|one)',
        "the (?:e-?mail |address |one )?i(?:'m|’m| am) " +
          '(?:writing|sending|emailing|mailing) (?:from|with)',
        'the same (?:e-?mail|address|one)',
        '(?:same|identical) (?:as|to) (?:this|the one|(?:the |my )?sender)',
        'my current (?:e-?mail|address)',
        "the sender(?:'s)? address",
      ].join('|') +
      ')',
    '\\b(?:this|the same) (?:e-?mail|address)[^.!?]{0,50}' +
      '(?:regist|login|log-?in|sign[- ]?in|account|\\bams\\b)',
  ],
  'i',
);

/** True when the person says the address they write from is the registered one. */
export function mentionsSenderAsRegistered(text: string): boolean {
  return SENDER_IS_REGISTERED.test(text.replace(/\s+/g, ' '));
}
