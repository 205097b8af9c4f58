import { decodeWords, headerValue } from './headers';
import { htmlToPlainText } from './html-text';
import { anyOf } from './patterns';
import { findSignatureBlock, isSignatureLine } from './signature';
import type { MailMessage } from './types';

/*
 * Splits a body into the parts a careful agent would read: the sender's own words and, in a
 * forward, the forwarded message's words. Quoted earlier messages, forwarded header blocks,
 * signatures, sign-offs, disclaimers and mobile footers are set aside.
 */

/** A stretch of text written by one person, with everything after its sign-off removed. */
export interface TextSegment {
  lines: string[];
  /** The name written under or beside a sign-off ("Thanks,\nJane Doe"), if any. */
  signOffName: string | null;
  /** True for the words of a forwarded message rather than the forwarder's. */
  forwarded: boolean;
}

export interface ReadableBody {
  /** The decoded text the segments come from, capped for storage. */
  text: string;
  segments: TextSegment[];
}

const MAX_BODY_TEXT = 64 * 1024;
const MAX_DEPTH = 3;

/** Which part to read: the plain text when it says anything (the default), or the HTML. */
export type BodyChoice = 'plain' | 'html';

/** Text of the message: the plain part when it says anything, else its HTML turned into text. */
export function bodyText(msg: MailMessage, choice: BodyChoice = 'plain'): string {
  const plain = normaliseText(msg.text ?? '');
  if (choice === 'plain' && /[\p{L}\p{N}]/u.test(plain)) return plain;
  return msg.html ? normaliseText(htmlToPlainText(msg.html)) : plain;
}

/** True when the message has an HTML part besides a plain one that was read. */
export function hasHtmlAlternative(msg: MailMessage): boolean {
  return Boolean(msg.html) && /[\p{L}\p{N}]/u.test(msg.text ?? '');
}

/** Reads the body into segments; `forwardSubject` says the subject carried Fwd:, WG:, TR: etc. */
export function readBody(
  msg: MailMessage,
  forwardSubject: boolean,
  choice: BodyChoice = 'plain',
): ReadableBody {
  const text = bodyText(msg, choice);
  const segments = splitSegments(text.split('\n'), forwardSubject, false, 0);

  for (const inner of msg.embedded) {
    const lines = bodyText(inner).split('\n');
    segments.push(...splitSegments(lines, false, true, 1));
  }
  const attached = msg.embedded.map(describeEmbedded).join('\n');
  return { text: (text + attached).slice(0, MAX_BODY_TEXT), segments };
}

function describeEmbedded(inner: MailMessage): string {
  const subject = decodeWords(headerValue(inner.headers, 'subject') ?? '');
  return `\n\n[attached message: ${subject}]\n${bodyText(inner)}`;
}

/**
 * Line breaks as \n, no-break and zero-width spaces resolved, trailing spaces kept for "-- ".
 * Runs of blanks and words longer than any real one are shortened, so that no rule below
 * meets input that makes a regular expression slow; nothing a person writes is that long.
 */
export function normaliseText(text: string): string {
  return repairC1(text)
    .replace(/\r\n?/g, '\n')
    .replace(/[\u2028\u2029]/g, '\n')
    .replace(/[\u00a0\u2007\u202f]/g, ' ')
    .replace(/[\u200b-\u200d\u2060\ufeff\u00ad]/g, '')
    .replace(/\u0000/g, '')
    .replace(/[ \t]{40,}/g, '   ')
    .replace(/\S{200,}/g, (run) => run.slice(0, 200))
    .replace(/[ \t]?[[(][ \t]?at[ \t]?[\])][ \t]?/gi, '@')
    .replace(/[ \t]?[[(][ \t]?dot[ \t]?[\])][ \t]?/gi, '.');
}

/*
 * Windows-1252 text is often labelled ISO-8859-1, which leaves its curly quotes and dashes as
 * C1 control characters. Those never occur in real text, so they are mapped back.
 */
const CP1252_C1 = '€\u0081‚ƒ„…†‡ˆ‰Š‹Œ\u008dŽ\u008f\u0090‘’“”•–—˜™š›œ\u009džŸ';

function repairC1(text: string): string {
  return text.replace(/[\u0080-\u009f]/g, (c) => CP1252_C1[c.charCodeAt(0) - 0x80]);
}

function splitSegments(
  lines: string[],
  forwardSubject: boolean,
  forwarded: boolean,
  depth: number,
): TextSegment[] {
  const boundary = findBoundary(lines);
  const ownLines = boundary ? lines.slice(0, boundary.at) : lines;
  const own = closeSegment(
    ownLines.filter((l) => !isQuoted(l)),
    forwarded,
  );
  if (!boundary || depth >= MAX_DEPTH) return [own];

  const isForward = boundary.kind === 'forward' || (boundary.kind === 'original' && forwardSubject);
  if (!isForward) return [own];

  const inner = forwardedBody(lines.slice(boundary.at + boundary.length));
  return [own, ...splitSegments(inner, false, true, depth + 1)];
}

/* ---------- boundaries between the writer's words and earlier messages ---------- */

interface Boundary {
  at: number;
  /** Lines the marker itself takes. */
  length: number;
  kind: 'forward' | 'original' | 'quote';
}

const FORWARD_MARKER = new RegExp(
  '^[\\s>]*(?:-{2,}|_{2,}|=+)?\\s*(?:' +
    [
      'forwarded message',
      'forwarded e-?mail',
      'begin forwarded message',
      'weitergeleitete nachricht',
      'message transf[ée]r[ée]',
      'mensaje reenviado',
      'messaggio inoltrato',
      'doorgestuurd bericht',
      'vidarebefordrat meddelande',
      'videresendt (?:melding|meddelelse)',
      'wiadomość przekazana',
      'mensagem encaminhada',
    ].join('|') +
    ')(?:\\s+from\\b.*)?\\s*:?\\s*(?:-{2,}|_{2,}|=+)?\\s*$',
  'i',
);

const ORIGINAL_MARKER = new RegExp(
  '^[\\s>]*-{2,}\\s*(?:' +
    [
      'original message',
      'ursprüngliche nachricht',
      'message d.origine',
      'mensaje original',
      'messaggio originale',
      'oorspronkelijk bericht',
      'ursprungligt meddelande',
      'opprinnelig melding',
      'oprindelig meddelelse',
      'wiadomość oryginalna',
      'mensagem original',
    ].join('|') +
    ')\\s*-{2,}\\s*$',
  'i',
);

const HEADER_FROM = /^[\s>*]*(?:from|von|de|da|van|från|fra|od|lähettäjä)\s*\**\s*:\s*\S/i;
const HEADER_FIELD = anyOf(
  [
    'from|to|cc|bcc|date|sent|subject|reply-to',
    'von|an|gesendet|betreff|datum',
    'de|à|a|envoyé|objet',
    'para|asunto|enviado(?: el)?|fecha',
    'da|inviato|oggetto',
    'van|aan|verzonden|onderwerp',
    'från|till|skickat|ämne|fra|til|sendt|emne',
    'od|do|wysłano|temat|data',
  ],
  'i',
  '^[\\s>*]*',
  '\\s*\\**\\s*:',
);
const HEADER_SENT = anyOf(
  [
    'sent|date|gesendet|datum|envoyé|enviado(?: el)?|fecha',
    'inviato|data|verzonden|skickat|sendt|wysłano',
  ],
  'i',
  '^[\\s>*]*',
  '\\s*\\**\\s*:',
);

const ATTRIBUTION_START = /^[\s>]*(?:on|am|le|el|il|op|den|em|w dniu|dne)\b/i;
/** The verb may be followed by the writer's name and address, as German and French clients do. */
const ATTRIBUTION_END = anyOf(
  [
    'wrote|writes|schrieb|a écrit|escribió|ha scritto|schreef|skrev|escreveu',
    'napisał\\(a\\)|napisał|napsal|kirjoitti',
  ],
  'i',
  '\\b',
  '\\b[^\\n]{0,160}:\\s*$',
);

/**
 * The first boundary ends the writer's words. A reply written below the quote (bottom-posting)
 * therefore loses its answer; support mail is almost always top-posted.
 */
function findBoundary(lines: string[]): Boundary | null {
  for (let i = 0; i < lines.length; i++) {
    const found = boundaryAt(lines, i);
    if (found) return found;
  }
  return null;
}

function boundaryAt(lines: string[], i: number): Boundary | null {
  const line = lines[i];
  if (FORWARD_MARKER.test(line)) return { at: i, length: 1, kind: 'forward' };
  if (ORIGINAL_MARKER.test(line)) return { at: i, length: 1, kind: 'original' };
  if (/^\s*_{8,}\s*$/.test(line) && HEADER_FROM.test(nextFilled(lines, i) ?? '')) {
    return { at: i, length: 1, kind: 'original' };
  }
  if (HEADER_FROM.test(line) && isHeaderBlock(lines, i))
    return { at: i, length: 0, kind: 'original' };
  return attributionAt(lines, i);
}

/** "From: ..." followed closely by "Sent:" or "Date:": an Outlook-style quoted header block. */
function isHeaderBlock(lines: string[], i: number): boolean {
  return lines.slice(i + 1, i + 5).some((l) => HEADER_SENT.test(l));
}

/** "On Tue, 4 Mar 2025 at 09:14, Name <address> wrote:", which clients wrap over 2-3 lines. */
function attributionAt(lines: string[], i: number): Boundary | null {
  if (!ATTRIBUTION_START.test(lines[i])) return null;
  for (let span = 1; span <= 3 && i + span <= lines.length; span++) {
    const joined = lines.slice(i, i + span).join(' ');
    if (joined.length > 300) return null;
    if (ATTRIBUTION_END.test(joined)) return { at: i, length: span, kind: 'quote' };
  }
  return null;
}

function nextFilled(lines: string[], i: number): string | null {
  for (let j = i + 1; j < lines.length; j++) if (lines[j].trim()) return lines[j];
  return null;
}

function isQuoted(line: string): boolean {
  return /^\s*>/.test(line);
}

/** The forwarded message's body: one quoting level removed, its header block skipped. */
function forwardedBody(lines: string[]): string[] {
  const quoted = lines.filter((l) => l.trim() && isQuoted(l)).length;
  const filled = lines.filter((l) => l.trim()).length;
  const unquoted = quoted > filled / 2 ? lines.map((l) => l.replace(/^\s*>\s?/, '')) : lines;

  let at = 0;
  while (at < unquoted.length && !unquoted[at].trim()) at++;
  while (
    at < unquoted.length &&
    (HEADER_FIELD.test(unquoted[at]) || isWrappedHeader(unquoted, at))
  ) {
    at++;
  }
  return unquoted.slice(at);
}

/** A header value that wrapped onto the next line, e.g. "To: A <a@x>,\n  B <b@x>". */
function isWrappedHeader(lines: string[], at: number): boolean {
  return at > 0 && /^[ \t]+\S/.test(lines[at]) && HEADER_FIELD.test(lines[at - 1]);
}

/* ---------- signatures, sign-offs, disclaimers ---------- */

const SIGNATURE_SEPARATOR = /^\s*--\s*$/;
const MOBILE_FOOTER = anyOf(
  [
    'sent from my |sent from (?:outlook|mail|yahoo|gmail|samsung)|sent via |get outlook for ',
    'envoy[ée] de mon |von meinem .* gesendet|enviado desde mi |inviato da ',
    'verzonden vanaf |skickat från |sendt fra min |wysłane z mojego |enviado do meu ',
    'gesendet von (?:meinem|outlook)|lähetetty |odesláno z ',
  ],
  'i',
  '^\\s*',
);
/** Openings that are a disclaimer on their own. */
const DISCLAIMER_HEADING = anyOf(
  [
    '\\**\\s*(?:disclaimer|confidentiality notice|legal notice|important notice)\\b',
    'please consider the environment|please do not print this',
  ],
  'i',
  '^\\s*',
);
/** Openings that start a disclaimer only when legal words follow in the same paragraph. */
const DISCLAIMER_OPENING = new RegExp(
  '^\\s*\\**\\s*(?:' +
    [
      'confidential',
      'this (?:e-?mail|message|communication|transmission)',
      'the information (?:contained )?in this',
      'if you (?:are not|have received this)',
      'diese (?:e-?mail|nachricht)',
      'ce (?:message|courriel|mail|e-mail)',
      'este (?:mensaje|correo)',
      'questo messaggio',
      'dit (?:e-?mail)?bericht',
      'detta (?:e-?post|meddelande)',
    ].join('|') +
    ')',
  'i',
);
const LEGAL_WORDS = anyOf(
  [
    'confidential|privileged|intended (?:solely |only )?(?:for|recipient)|addressee',
    'unauthori[sz]ed|notify the sender|legally',
    'vertraulich|empfänger|destinataire|destinatario|destinatari|geadresseerde|mottagare',
  ],
  'i',
);

function isDisclaimerStart(lines: string[], i: number): boolean {
  if (DISCLAIMER_HEADING.test(lines[i])) return true;
  if (!DISCLAIMER_OPENING.test(lines[i])) return false;
  const paragraph: string[] = [];
  for (let j = i; j < lines.length && j < i + 8 && lines[j].trim(); j++) paragraph.push(lines[j]);
  return LEGAL_WORDS.test(paragraph.join(' '));
}

/*
 * Sign-off phrases, longest forms first within each alternative. A phrase must end at a word
 * end, so a name such as "Tyler" or "Brian" is not read as "ty" or "br" plus a name.
 */
const SIGN_OFF = new RegExp(
  '^\\s*(?:' +
    [
      '(?:(?:many|a thousand) )?thanks?(?: you| u)?' +
        '(?: (?:so|very) much| a (?:lot|million|bunch|ton)| heaps| loads)?' +
        '(?:,? (?:and|&) (?:(?:kind|best|warm) )?regards)?' +
        '(?:,? (?:again|in advance|once again))?' +
        '(?:,? for [^,.!?\\n]{1,50})?' +
        '(?:,? (?:again|in advance))?',
      'thx|thnx|tks|tnx|ty|ta',
      'much appreciated|appreciated',
      'appreciate (?:it|your help|any help|your assistance)',
      '(?:with )?(?:(?:very )?(?:kind|best|warm|warmest|many|kindest|sincere|warmest) )?regards',
      'regs|rgds|brgds|kr|br',
      'best(?: wishes)?',
      'all the best|all best',
      'cheers(?: (?:mate|again))?',
      '(?:yours )?sincerely|yours(?: sincerely| faithfully| truly)?|respectfully',
      'speak soon|talk soon|take care|stay safe',
      'looking forward to (?:hearing from you|your (?:reply|response|help))',
      'have a (?:nice|good|great|lovely) (?:day|weekend|evening|one)',
      'mfg|lg|vg|bg',
      'mit (?:den )?(?:freundlichen|besten|herzlichen|lieben) grü(?:ß|ss)en',
      '(?:freundliche|viele|beste|liebe|herzliche|schöne|sonnige) grü(?:ß|ss)e',
      'grü(?:ß|ss)e|gru(?:ß|ss)|servus',
      'danke(?: schön| sehr| im voraus| vielmals)?|vielen (?:herzlichen )?dank(?: im voraus)?',
      '(?:bien |très )?cordialement|bien à vous|amicalement|bonne (?:journée|soirée)',
      'merci(?: beaucoup| d.avance| par avance| encore| bien)?',
      '(?:sincères |meilleures )?salutations(?: distinguées)?',
      '(?:un )?(?:cordial )?saludos?(?: cordiales)?|un abrazo|atentamente',
      '(?:muchas )?gracias(?: de antemano| por adelantado)?',
      '(?:cordiali|distinti|tanti)? ?saluti|un (?:caro )?saluto|buona giornata',
      'grazie(?: mille| in anticipo)?',
      'met vriendelijke groet(?:en)?|(?:vriendelijke |hartelijke )?groet(?:en|jes)?',
      'mvg|bedankt|alvast bedankt|dank (?:je|u) wel',
      '(?:med )?vänlig(?:a)? hälsning(?:ar)?|hälsningar|tack(?: så mycket| på förhand)?',
      'mvh|(?:med )?venlig(?:e)? hilsen?|vennlig hilsen|hilsen|takk|tak',
      '(?:serdecznie )?pozdrawiam(?: serdecznie)?|z poważaniem|dziękuję|dzięki',
      'obrigad[oa]|atenciosamente|(?:com os )?(?:melhores )?cumprimentos|abraços?',
      '(?:ystävällisin )?terveisin|kiitos|s pozdravem|děkuji',
      'dank(?:e)?',
    ].join('|') +
    ')(?![\\p{L}])[\\s,.!:;()~=^*-]*(.*)$',
  'iu',
);

/** Labels that mean the request's fields are still coming, so a "Thanks" is not the end. */
const STRONG_LABEL = anyOf(
  [
    'full name|name|registered e-?mail|e-?mail address registered',
    'ams login|description|issue|problem',
  ],
  'i',
  '^\\s*(?:\\d+[.)]\\s*)?',
  '\\b',
);

function closeSegment(lines: string[], forwarded: boolean): TextSegment {
  let kept = lines;

  const sep = kept.findIndex((l) => SIGNATURE_SEPARATOR.test(l));
  if (sep >= 0) kept = kept.slice(0, sep);

  const footer = kept.findIndex((l, i) => MOBILE_FOOTER.test(l) || isDisclaimerStart(kept, i));
  if (footer >= 0) kept = kept.slice(0, footer);

  const signOff = findSignOff(kept);
  if (signOff) return { lines: kept.slice(0, signOff.at), signOffName: signOff.name, forwarded };

  return closeUnsigned(kept, forwarded);
}

/**
 * Without a sign-off that ends the text, a trailing signature block (name, title, phone) is
 * cut off; a sign-off may then sit just above it, with more lines under it than a sign-off
 * normally allows ("Thanks,\nKate\n\nKate Bell\nSenior Analyst\n<long address lines>").
 */
function closeUnsigned(lines: string[], forwarded: boolean): TextSegment {
  const block = findSignatureBlock(lines);
  if (!block) return { lines, signOffName: null, forwarded };

  const kept = lines.slice(0, block.at);
  const signOff = findSignOff(kept);
  if (!signOff) return { lines: kept, signOffName: block.name, forwarded };

  const signed = signOff.name && signOff.name.includes(' ') ? signOff.name : null;
  return {
    lines: kept.slice(0, signOff.at),
    signOffName: signed ?? block.name ?? signOff.name,
    forwarded,
  };
}

/** A signature under a sign-off is short; more lines than this are still the message. */
const MAX_SIGNATURE_LINES = 10;
/** A signature made only of detail lines (address, phones, links) may be this long. */
const MAX_DETAIL_LINES = 16;

interface SignOff {
  at: number;
  name: string | null;
}

/**
 * The first short sign-off line that ends the message: something was written before it, and
 * only a few short lines (a signature) and no request field come after it.
 */
function findSignOff(lines: string[]): SignOff | null {
  const firstFilled = lines.findIndex((l) => l.trim());
  const start = Math.max(firstFilled + 1, signatureZoneStart(lines));
  for (let i = start; i < lines.length; i++) {
    const line = lines[i];
    if (line.trim().length > 60) continue;
    const m = SIGN_OFF.exec(line);
    if (!m || !isTrailingName(m[1]) || !looksLikeSignature(lines.slice(i + 1))) continue;

    const inline = m[1].trim();
    return { at: i, name: inline || nextFilled(lines, i)?.trim() || null };
  }
  return null;
}

/** The first line that has at most MAX_DETAIL_LINES filled lines after it. */
function signatureZoneStart(lines: string[]): number {
  let filled = 0;
  for (let i = lines.length - 1; i >= 0; i--) {
    if (filled > MAX_DETAIL_LINES) return i + 1;
    if (lines[i].trim()) filled++;
  }
  return 0;
}

/**
 * Short lines of any kind, or a longer block (a postal address, a one-line "Name | Title |
 * Phone" signature) whose every line reads as a signature detail rather than a sentence.
 */
function looksLikeSignature(rest: string[]): boolean {
  const filled = rest.filter((l) => l.trim());
  if (filled.some((l) => STRONG_LABEL.test(l))) return false;
  const short = filled.length <= MAX_SIGNATURE_LINES && filled.every((l) => l.trim().length <= 100);
  return short || (filled.length <= MAX_DETAIL_LINES && filled.every(isSignatureLine));
}

/** What may follow a sign-off on its line: nothing, or a short name ("Thanks, Jane"). */
function isTrailingName(rest: string): boolean {
  const words = rest.trim().split(/\s+/).filter(Boolean);
  if (words.length === 0) return true;
  if (words.length > 4 || (/[.?]$/.test(rest.trim()) && !/^\p{Lu}\.$/u.test(words.at(-1) ?? ''))) {
    return false;
  }
  return words.every((w, i) => /^[\p{Lu}\p{Lo}(]/u.test(w) || (i > 0 && NAME_PARTICLE.test(w)));
}

/** Lower-case words that belong inside a name ("Anna van der Berg"). */
const NAME_PARTICLE =
  /^(?:van|von|der|den|de|da|di|del|della|du|le|la|bin|al|dos|das|ten|ter|zu|y|e)$/;
